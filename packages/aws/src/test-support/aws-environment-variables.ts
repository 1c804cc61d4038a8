import { vi } from 'vitest';

/**
 * Points the AWS SDK's default credential chain at these keys (or at none) and nothing else of
 * this machine: no shared config files, no instance metadata. Undone by `vi.unstubAllEnvs()`.
 */
export function useAwsKeys(keys: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined): void {
  vi.stubEnv('AWS_ACCESS_KEY_ID', keys?.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', keys?.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
  vi.stubEnv('AWS_PROFILE', undefined);
  vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/aws-config');
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/aws-credentials');
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
}
