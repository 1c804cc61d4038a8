/** A username and password (or access token used as a password), sent as HTTP Basic. */
export interface BasicCredentials {
  readonly type: 'basic';
  readonly username: string;
  readonly password: string;
  /** When short-lived credentials (ECR, ACR, GCP tokens) stop working. */
  readonly expiresAt?: Date | undefined;
}

/** An OAuth2 refresh token ("identity token" in the docker config), exchanged for access tokens. */
export interface IdentityTokenCredentials {
  readonly type: 'identity-token';
  readonly token: string;
  readonly expiresAt?: Date | undefined;
}

/** A registry bearer token used as is. */
export interface BearerTokenCredentials {
  readonly type: 'bearer';
  readonly token: string;
  readonly expiresAt?: Date | undefined;
}

export type RegistryCredentials = BasicCredentials | IdentityTokenCredentials | BearerTokenCredentials;

/** Supplies credentials on demand; called again when earlier ones expire or were refused. */
export type CredentialProvider = () => Promise<RegistryCredentials | undefined>;

export function basicCredentials(username: string, password: string, expiresAt?: Date): BasicCredentials {
  return expiresAt === undefined ? { type: 'basic', username, password } : { type: 'basic', username, password, expiresAt };
}

/** A description safe for output: it names the kind and the user, never the secret. */
export function describeCredentials(credentials: RegistryCredentials): string {
  const expiry = credentials.expiresAt ? `, expires ${credentials.expiresAt.toISOString()}` : '';
  switch (credentials.type) {
    case 'basic':
      return `username "${credentials.username}" with a password${expiry}`;
    case 'identity-token':
      return `an identity token${expiry}`;
    case 'bearer':
      return `a bearer token${expiry}`;
  }
}

/** True when the credentials lapse within `skewMs` (default 5 minutes) of `now`. */
export function credentialsExpireSoon(credentials: RegistryCredentials, now = Date.now(), skewMs = 5 * 60_000): boolean {
  return credentials.expiresAt !== undefined && credentials.expiresAt.getTime() - skewMs <= now;
}
