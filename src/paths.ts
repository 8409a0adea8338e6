// Every URL in one place: routes, views and tests use these, never string literals.
export const paths = {
  home: '/',
  health: { live: '/health/live', ready: '/health/ready' },
  assets: '/assets',
  public: '/public',
  signIn: '/sign-in',
  signInTotp: '/sign-in/second-factor',
  signInTotpSetup: '/sign-in/set-up-second-factor',
  signOut: '/sign-out',
  invitation: (token = ':token') => `/invitation/${token}`,
  oidc: {
    start: (provider = ':provider') => `/sign-in/oidc/${provider}`,
    callback: (provider = ':provider') => `/sign-in/oidc/${provider}/callback`,
  },
  admin: {
    organisations: '/admin/organisations',
    newOrganisation: '/admin/organisations/new',
    organisation: (id = ':id') => `/admin/organisations/${id}`,
    users: '/admin/users',
    newUser: '/admin/users/new',
    user: (id = ':id') => `/admin/users/${id}`,
    deactivateUser: (id = ':id') => `/admin/users/${id}/deactivate`,
    reactivateUser: (id = ':id') => `/admin/users/${id}/reactivate`,
    userRoles: (id = ':id') => `/admin/users/${id}/roles`,
    unlockUser: (id = ':id') => `/admin/users/${id}/unlock`,
    resendInvitation: (id = ':id') => `/admin/users/${id}/invitation`,
    // A change to the partnership-administrator role, waiting for a second administrator.
    approveRoleRequest: (id = ':id', requestId = ':requestId') => `/admin/users/${id}/role-requests/${requestId}/approve`,
    refuseRoleRequest: (id = ':id', requestId = ':requestId') => `/admin/users/${id}/role-requests/${requestId}/refuse`,
    outbox: '/admin/outbox',
    audit: '/admin/audit',
  },
  jobs: { list: '/jobs', job: (id = ':id') => `/jobs/${id}` },
  // The joint agency record. Each page of a child's record belongs to one capability folder.
  children: {
    list: '/children', // find: search and lists
    export: '/children/export', // find: ?format=csv|xlsx with the list's filters
    register: '/children/new', // children
    record: (id = ':id') => `/children/${id}`, // children: the core record
    edit: (id = ':id') => `/children/${id}/edit`, // children
    history: (id = ':id') => `/children/${id}/history`, // children
    family: (id = ':id') => `/children/${id}/family`, // family
    addFamilyMember: (id = ':id') => `/children/${id}/family/new`, // family
    editFamilyMember: (id = ':id', memberId = ':memberId') => `/children/${id}/family/${memberId}/edit`, // family
    familyAccounts: (id = ':id') => `/children/${id}/family/accounts`, // my-family: inviting the family to use Jointly
    involvements: (id = ':id') => `/children/${id}/involvements`, // involvements (and key worker)
    addInvolvement: (id = ':id') => `/children/${id}/involvements/new`, // involvements
    endInvolvement: (id = ':id', involvementId = ':involvementId') => `/children/${id}/involvements/${involvementId}/end`, // involvements
    keyWorker: (id = ':id') => `/children/${id}/key-worker`, // involvements
    aboutMe: (id = ':id') => `/children/${id}/about-me`, // tell-it-once
    updateAboutMe: (id = ':id') => `/children/${id}/about-me/update`, // tell-it-once
    aboutMeVersion: (id = ':id', version: number | string = ':version') => `/children/${id}/about-me/versions/${version}`, // tell-it-once
    chronology: (id = ':id') => `/children/${id}/chronology`, // tell-it-once
    addChronologyEvent: (id = ':id') => `/children/${id}/chronology/new`, // tell-it-once
    sharing: (id = ':id') => `/children/${id}/sharing`, // sharing: consents and lawful bases
    addConsent: (id = ':id') => `/children/${id}/sharing/consent/new`, // sharing
    withdrawConsent: (id = ':id', consentId = ':consentId') => `/children/${id}/sharing/consent/${consentId}/withdraw`, // sharing
    addLawfulBasis: (id = ':id') => `/children/${id}/sharing/lawful-basis/new`, // sharing
    emergencyAccess: (id = ':id') => `/children/${id}/emergency-access`, // sharing: break glass
    whoHasLooked: (id = ':id') => `/children/${id}/who-has-looked`, // sharing
    packages: (id = ':id') => `/children/${id}/packages`, // budgets: packages and spend
  },
  // my-family: a family's own pages (issue 15), for family accounts only.
  myFamily: {
    home: '/my-family',
    child: (id = ':id') => `/my-family/children/${id}`,
    whoLooked: (id = ':id') => `/my-family/children/${id}/who-looked`,
    aboutMe: (id = ':id') => `/my-family/children/${id}/about-me`,
    withdraw: (id = ':id', consentId = ':consentId') => `/my-family/children/${id}/consents/${consentId}/withdraw`,
  },
  register: {
    overview: '/register/overview', // register-overview: counts for commissioners
    overviewExport: '/register/overview/export', // register-overview: the overview's tables as CSV
    emergencyAccessReview: '/admin/emergency-access', // sharing: for the information governance lead
    sharingApprovals: '/admin/sharing-approvals', // sharing: consents and lawful bases waiting for a second person
    emergencyAccessStart: '/children/emergency-access', // sharing: break glass from an NHS number, UPN or council id
  },
  // imports: agency sources, uploaded extracts, their dry runs and reports (for the data officer).
  imports: {
    home: '/imports',
    newSource: '/imports/sources/new',
    source: (id = ':id') => `/imports/sources/${id}`,
    upload: '/imports/upload',
    import: (id = ':id') => `/imports/${id}`,
    apply: (id = ':id') => `/imports/${id}/apply`,
    report: (id = ':id') => `/imports/${id}/report.csv`,
  },
  // matching-review: clerical review of uncertain pairs, merges and unmerges.
  matching: {
    queue: '/matching',
    pair: (id = ':id') => `/matching/pairs/${id}`,
    merges: '/matching/merges',
    merge: (id = ':id') => `/matching/merges/${id}`,
    unmerge: (id = ':id') => `/matching/merges/${id}/undo`,
  },
  // referrals: the one referral route (partners and families), triage and eligibility.
  referrals: {
    selfReferral: '/refer', // public: a family or young person refers itself
    privacy: '/privacy', // public: the privacy notice for the form and the record
    selfReferralDone: (reference = ':reference') => `/refer/sent/${reference}`,
    newReferral: '/referrals/new', // a partner organisation's referral
    queue: '/referrals', // triage
    referral: (id = ':id') => `/referrals/${id}`,
    triage: (id = ':id') => `/referrals/${id}/triage`, // POST: a triage decision
    attach: (id = ':id') => `/referrals/${id}/child`, // POST: attach a family's referral to a child
    assess: (id = ':id') => `/referrals/${id}/eligibility`, // assess against a rule set
    registerChild: '/referrals/register-child', // ?referral=ID: register a new child (duplicate guard)
  },
  // eligibility rule sets (configured by the partnership administrator).
  eligibility: {
    ruleSets: '/admin/eligibility',
    newRuleSet: '/admin/eligibility/new',
    ruleSet: (id = ':id') => `/admin/eligibility/${id}`,
  },
  // panels: terms of reference, members, meetings, agendas and papers.
  panels: {
    home: '/panels',
    panel: (id = ':id') => `/panels/${id}`,
    meeting: (id = ':meetingId') => `/panels/meetings/${id}`,
    papers: (id = ':meetingId') => `/panels/meetings/${id}/papers`,
    newPanel: '/panels/new',
    edit: (id = ':id') => `/panels/${id}/edit`,
    addMember: (id = ':id') => `/panels/${id}/members`,
    removeMember: (id = ':id') => `/panels/${id}/members/remove`,
    addMeeting: (id = ':id') => `/panels/${id}/meetings`,
    generateMeetings: (id = ':id') => `/panels/${id}/meetings/generate`,
    addCase: (id = ':meetingId') => `/panels/meetings/${id}/cases`,
    moveCase: (id = ':meetingId') => `/panels/meetings/${id}/cases/move`,
    removeCase: (id = ':meetingId') => `/panels/meetings/${id}/cases/remove`,
    publish: (id = ':meetingId') => `/panels/meetings/${id}/publish`,
    attendance: (id = ':meetingId') => `/panels/meetings/${id}/attendance`,
    held: (id = ':meetingId') => `/panels/meetings/${id}/held`,
    changeMeeting: (id = ':meetingId') => `/panels/meetings/${id}/change`,
    cancelMeeting: (id = ':meetingId') => `/panels/meetings/${id}/cancel`,
    editSummary: (id = ':meetingId', caseId = ':caseId') => `/panels/meetings/${id}/cases/${caseId}/summary`,
  },
  // panel-decisions: decisions on cases, split templates, outcome sheets.
  decisions: {
    decide: (caseId = ':caseId') => `/panels/cases/${caseId}/decision`,
    decision: (id = ':decisionId') => `/decisions/${id}`,
    sheet: (id = ':decisionId') => `/decisions/${id}/outcome-sheet`,
    sheetPdf: (id = ':decisionId') => `/decisions/${id}/outcome-sheet.pdf`,
    late: '/decisions/outcome-sheets/late',
    templates: '/admin/split-templates',
    newTemplate: '/admin/split-templates/new',
    deactivateTemplate: (id = ':templateId') => `/admin/split-templates/${id}/deactivate`,
    issueSheet: (id = ':decisionId') => `/decisions/${id}/outcome-sheet/issue`,
  },
  // disputes about a partner's share, and the escalation ladder.
  disputes: {
    list: '/disputes',
    raise: (decisionId = ':decisionId') => `/decisions/${decisionId}/disputes/new`,
    dispute: (id = ':id') => `/disputes/${id}`,
    escalate: (id = ':id') => `/disputes/${id}/escalate`,
    resolve: (id = ':id') => `/disputes/${id}/resolve`,
    withdraw: (id = ':id') => `/disputes/${id}/withdraw`,
    ladder: '/admin/escalation-ladder',
  },
  // panel-reports: cases by outcome, time to decision, shares, disputes.
  panelReports: {
    home: '/panels/reports',
    export: '/panels/reports/export', // ?format=csv|xlsx
  },
  // area-settings: the area configures its register (localities, common definition of disability).
  areaSettings: {
    home: '/admin/area-settings',
    contact: '/admin/area-settings/contact',
    newLocality: '/admin/area-settings/localities/new',
    locality: (id = ':id') => `/admin/area-settings/localities/${id}`,
    addPrefix: (id = ':id') => `/admin/area-settings/localities/${id}/postcodes`,
    removePrefix: (id = ':id') => `/admin/area-settings/localities/${id}/postcodes/remove`,
    newCriterion: '/admin/area-settings/criteria/new',
    criterion: (id = ':id') => `/admin/area-settings/criteria/${id}`,
    criterionActive: (id = ':id') => `/admin/area-settings/criteria/${id}/active`,
  },
  // budget-reports: reports for the partnership board and finance, and the trail down to the entries.
  budgetReports: {
    board: '/budgets/reports',
    spend: '/budgets/reports/spend',
    export: '/budgets/reports/export', // ?report=board|shares|spend&format=csv|xlsx&year=
    entries: '/budgets/reports/entries', // ?year&measure&agreement&partner&category&package
    transaction: (id: number | string = ':transactionId') => `/budgets/reports/transactions/${id}`,
    package: (id = ':packageId') => `/budgets/reports/packages/${id}`,
    invoice: (id = ':invoiceId') => `/budgets/reports/invoices/${id}`,
    child: (id = ':childId') => `/budgets/reports/children/${id}`,
  },
  // budgets: partners, pooling agreements (pools), packages, invoices, payments, the ledger.
  budgets: {
    home: '/budgets',
    newPartner: '/budgets/partners/new',
    newPool: '/budgets/pools/new',
    pool: (id = ':id') => `/budgets/pools/${id}`,
    addYear: (id = ':id') => `/budgets/pools/${id}/years/new`,
    addContribution: (id = ':id') => `/budgets/pools/${id}/contributions/new`,
    newPackage: (id = ':id') => `/budgets/pools/${id}/packages/new`,
    entries: (id = ':id') => `/budgets/pools/${id}/entries`,
    invoices: (id = ':id') => `/budgets/pools/${id}/invoices`,
    newInvoice: (id = ':id') => `/budgets/pools/${id}/invoices/new`,
    importInvoices: (id = ':id') => `/budgets/pools/${id}/invoices/import`,
    package: (id = ':id') => `/budgets/packages/${id}`,
    changePackage: (id = ':id') => `/budgets/packages/${id}/change`,
    directPayment: (id = ':id') => `/budgets/packages/${id}/direct-payments/new`,
    invoice: (id = ':id') => `/budgets/invoices/${id}`,
    payInvoice: (id = ':id') => `/budgets/invoices/${id}/payments`,
    matchInvoice: (id = ':id') => `/budgets/invoices/${id}/match`,
    cancelInvoice: (id = ':id') => `/budgets/invoices/${id}/cancel`,
    periods: '/budgets/periods',
    closePeriod: '/budgets/periods/close',
    reverseTransaction: (id: number | string = ':transactionId') => `/budgets/transactions/${id}/reverse`,
    moveBudget: (id = ':id') => `/budgets/pools/${id}/transfers/new`,
  },
  // local-offer: the public directory, providers' entries and their moderation.
  localOffer: {
    search: '/local-offer', // public: families search the directory
    service: (id = ':id') => `/local-offer/services/${id}`, // public: one service and how to get it
    provider: '/local-offer/provider', // a provider's own entries and changes
    newEntry: '/local-offer/provider/new',
    editEntry: (id = ':id') => `/local-offer/provider/services/${id}/edit`,
    moderation: '/local-offer/moderation', // the officer's worklist
    change: (id = ':id') => `/local-offer/moderation/changes/${id}`,
    approve: (id = ':id') => `/local-offer/moderation/changes/${id}/approve`,
    refuse: (id = ':id') => `/local-offer/moderation/changes/${id}/refuse`,
    needAndSupply: '/local-offer/need-and-supply', // commissioners: children by need beside services; ?format=csv|xlsx
  },
  // Joint commissioning (issue 17): the needs assessment, forecast, plans, the contracts register and the market position statement.
  commissioning: {
    needs: '/commissioning/needs', // needs-assessment: ?view=shared, ?format=csv|xlsx|pdf
    neighbours: '/commissioning/needs/neighbours', // needs-assessment: the area's statistical neighbours (an area setting)
    forecast: '/commissioning/forecast', // forecast: the projection and its scenarios side by side
    forecastExport: '/commissioning/forecast/export', // forecast: ?format=csv|xlsx
    newScenario: '/commissioning/forecast/scenarios/new', // forecast: a commissioner saves a scenario
    plans: '/commissioning/plans',
    newPlan: '/commissioning/plans/new',
    plan: (id = ':id') => `/commissioning/plans/${id}`,
    newPriority: (id = ':id') => `/commissioning/plans/${id}/priorities/new`,
    newEvidence: (id = ':id') => `/commissioning/priorities/${id}/evidence/new`,
    newIntention: (id = ':id') => `/commissioning/plans/${id}/intentions/new`,
    intention: (id = ':id') => `/commissioning/intentions/${id}`,
    moveStage: (id = ':id') => `/commissioning/intentions/${id}/stage`,
    submit: (id = ':id') => `/commissioning/plans/${id}/submit`,
    decide: (id = ':id') => `/commissioning/plans/${id}/decision`,
    contracts: '/commissioning/contracts', // ?format=csv|xlsx
    newContract: '/commissioning/contracts/new', // ?intention=<id> from the procurement pipeline
    importContracts: '/commissioning/contracts/import',
    contract: (id = ':id') => `/commissioning/contracts/${id}`,
    linkPackage: (id = ':id') => `/commissioning/contracts/${id}/packages`,
    newKpi: (id = ':id') => `/commissioning/contracts/${id}/kpis/new`,
    kpiReturn: (id = ':id') => `/commissioning/kpis/${id}/returns`,
    marketPosition: '/commissioning/market-position', // generated from the approved intentions, for providers
    editMarketPosition: '/commissioning/market-position/edit',
  },
  // The Open Referral UK 3.0 read API (public, read-only, JSON).
  oruk: {
    root: '/oruk',
    services: '/oruk/services',
    service: (id = ':id') => `/oruk/services/${id}`,
    taxonomies: '/oruk/taxonomies',
    taxonomy: (id = ':id') => `/oruk/taxonomies/${id}`,
    serviceAtLocations: '/oruk/service_at_locations',
    serviceAtLocation: (id = ':id') => `/oruk/service_at_locations/${id}`,
  },
} as const;
