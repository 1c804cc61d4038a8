/** One challenge of a `WWW-Authenticate` header, e.g. `Bearer realm="…",service="…",scope="…"`. */
export interface AuthChallenge {
  /** The scheme, lowercased: `basic`, `bearer`, … */
  readonly scheme: string;
  /** The auth-params, with lowercased names. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parses every challenge of one or more `WWW-Authenticate` header values (RFC 9110 §11.6.1).
 * A single value may hold several challenges (`Bearer realm="a",service="b", Basic realm="c"`),
 * and registries send them in any order, so nothing is dropped.
 */
export function parseWwwAuthenticate(values: string | readonly string[] | undefined): AuthChallenge[] {
  if (values === undefined) return [];
  const list = typeof values === 'string' ? [values] : values;
  return list.flatMap(parseOne);
}

/** Bearer before Basic; the first of each scheme. */
export function preferredChallenge(challenges: readonly AuthChallenge[]): AuthChallenge | undefined {
  return challenges.find((challenge) => challenge.scheme === 'bearer') ?? challenges.find((challenge) => challenge.scheme === 'basic');
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

function parseOne(header: string): AuthChallenge[] {
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  let rest = header;
  const skip = (pattern: RegExp) => {
    rest = rest.replace(pattern, '');
  };
  while (rest.length > 0) {
    skip(/^[\s,]+/);
    const name = TOKEN.exec(rest)?.[0];
    if (name === undefined) break;
    rest = rest.slice(name.length);
    const afterSpaces = rest.replace(/^\s+/, '');
    if (afterSpaces.startsWith('=') && challenges.length > 0 && !afterSpaces.startsWith('==')) {
      // An auth-param of the current challenge.
      rest = afterSpaces.slice(1).replace(/^\s+/, '');
      const value = readValue();
      challenges.at(-1)!.params[name.toLowerCase()] = value;
      continue;
    }
    // A new challenge: a scheme, then auth-params or a token68.
    const challenge = { scheme: name.toLowerCase(), params: {} as Record<string, string> };
    challenges.push(challenge);
    skip(/^\s+/);
    const token68 = /^[A-Za-z0-9\-._~+/]+=*(?=\s*(?:,|$))/.exec(rest);
    if (token68 && !/^[^=\s,]+\s*=[^=]/.test(rest)) {
      challenge.params['token68'] = token68[0];
      rest = rest.slice(token68[0].length);
    }
  }
  return challenges;

  function readValue(): string {
    if (!rest.startsWith('"')) {
      const value = TOKEN.exec(rest)?.[0] ?? '';
      rest = rest.slice(value.length);
      return value;
    }
    let value = '';
    let index = 1;
    for (; index < rest.length; index++) {
      const char = rest[index]!;
      if (char === '\\' && index + 1 < rest.length) {
        value += rest[++index];
      } else if (char === '"') {
        break;
      } else {
        value += char;
      }
    }
    rest = rest.slice(index + 1);
    return value;
  }
}
