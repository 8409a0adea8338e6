// Commissioning plans' public module: what the contracts register and the demo seed use.
export {
  addEvidence,
  addIntention,
  addPriority,
  createPlan,
  decidePlan,
  intentionForContract,
  intentionsReadyToContract,
  moveStage,
  submitPlan,
} from './service.js';
export { STAGES, type Stage } from './rules.js';
export { FormReader } from './schema.js';
export { saveStatement } from './market-position.js';
