import { z } from 'zod';
import { requiredText } from '../../../platform/http/form-fields.js';

export const signInForm = z.object({
  email: requiredText('Enter your e-mail address', 320, 'E-mail address'),
  password: z.string({ message: 'Enter your password' }).min(1, 'Enter your password'),
});

export const totpForm = z.object({
  code: z
    .string({ message: 'Enter the 6-digit code from your authenticator app' })
    .transform((s) => s.replace(/\s+/g, ''))
    .pipe(
      z
        .string()
        .min(1, 'Enter the 6-digit code from your authenticator app')
        .regex(/^\d{6}$/, 'The code must be 6 digits, like 123456'),
    ),
});

export const newPasswordForm = z
  .object({
    password: z.string({ message: 'Enter a password' }).min(1, 'Enter a password'),
    confirmPassword: z.string({ message: 'Enter the password again' }).min(1, 'Enter the password again'),
  })
  .refine((v) => v.password === v.confirmPassword, { path: ['confirmPassword'], message: 'The passwords do not match' });
