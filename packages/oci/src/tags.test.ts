import { describe, expect, it } from 'vitest';
import { nextLink } from './tags.js';

describe('nextLink', () => {
  it('finds the rel="next" target among Link headers', () => {
    expect(nextLink(['</v2/team/app/tags/list?last=b&n=2>; rel="next"'])).toBe('/v2/team/app/tags/list?last=b&n=2');
    expect(nextLink(['<https://r.example/v2/_catalog?n=1&last=a>; rel=next'])).toBe('https://r.example/v2/_catalog?n=1&last=a');
    expect(nextLink(['</first>; rel="prev", </second>; rel="next"'])).toBe('/second');
    expect(nextLink(['</page>; rel="prev"'])).toBeUndefined();
    expect(nextLink([])).toBeUndefined();
  });
});
