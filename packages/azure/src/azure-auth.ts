import type { TokenCredential } from '@azure/identity';
import { type BasicCredentials, type CallOptions, RegistryKitError } from '@registrykit/core';
import { acrFailure } from './azure-errors.js';

/** The user name that tells ACR the password is an ACR refresh token. */
export const ACR_REFRESH_TOKEN_USERNAME = '00000000-0000-0000-0000-000000000000';

export interface ExchangeOptions extends CallOptions {
  /** Where ACR's API is, `https://<login server>` unless overridden. */
  readonly endpoint: string;
  /** The login server, ACR's `service`. */
  readonly service: string;
  readonly credential: TokenCredential;
  /** The Entra ID scope, e.g. `https://containerregistry.azure.net/.default`. */
  readonly scope: string;
  readonly tenantId?: string | undefined;
}

/** The `exp` claim of a JWT, without checking its signature: ACR's refresh tokens say when they lapse there. */
function expiryOf(jwt: string): Date | undefined {
  const payload = jwt.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? new Date(exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Registry credentials for an Entra ID identity: its access token exchanged at
 * `/oauth2/exchange` for an ACR refresh token (about 3 hours), used as the password of user
 * `00000000-0000-0000-0000-000000000000`, as `az acr login` does.
 */
export async function exchangeForRegistryCredentials(options: ExchangeOptions): Promise<BasicCredentials> {
  const context = { action: 'exchanging an Entra ID token for registry credentials', registry: options.service };
  let accessToken: string;
  try {
    const token = await options.credential.getToken(options.scope, {
      ...(options.signal ? { abortSignal: options.signal } : {}),
      ...(options.tenantId ? { tenantId: options.tenantId } : {}),
    });
    if (!token) throw new RegistryKitError('AUTHENTICATION_FAILED', `The Azure credential gave no token for ${options.scope}.`, { details: context });
    accessToken = token.token;
  } catch (error) {
    throw acrFailure(error, context);
  }
  const form = new URLSearchParams({ grant_type: 'access_token', service: options.service, access_token: accessToken });
  if (options.tenantId) form.set('tenant', options.tenantId);
  let response: Response;
  try {
    response = await fetch(new URL('/oauth2/exchange', options.endpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    throw acrFailure((error as { cause?: unknown }).cause ?? error, context);
  }
  const body = (await response.json().catch(() => ({}))) as { refresh_token?: string; errors?: { message?: string }[] };
  if (!response.ok || !body.refresh_token) {
    const reason = body.errors?.[0]?.message ?? `HTTP ${response.status}`;
    throw new RegistryKitError(
      response.status === 403 ? 'PERMISSION_DENIED' : 'AUTHENTICATION_FAILED',
      `${options.service} refused to exchange the Entra ID token (${reason}). Give the identity a role on the registry (AcrPush to push, AcrPull to read), ` +
        'and check the tenant and the audience.',
      { details: { ...context, status: response.status } },
    );
  }
  const expiresAt = expiryOf(body.refresh_token);
  return expiresAt
    ? { type: 'basic', username: ACR_REFRESH_TOKEN_USERNAME, password: body.refresh_token, expiresAt }
    : { type: 'basic', username: ACR_REFRESH_TOKEN_USERNAME, password: body.refresh_token };
}
