// One daemonless push in its own process, so its peak RSS is its own: the parent times the
// process (start-up included, as for skopeo) and reads the figures this prints.
import { createOciPusher } from '@registrykit/oci';

const [source, registry, repository, tag] = process.argv.slice(2);
if (!source || !registry || !repository || !tag) throw new Error('usage: oci-push-child <source> <registry> <repository> <tag>');
const pusher = createOciPusher();
const start = process.hrtime.bigint();
const result = await pusher.push({ image: { registry, repository, tag }, credentials: undefined, source });
const ms = Number(process.hrtime.bigint() - start) / 1e6;
pusher.client.close();
// maxRSS is in KiB.
console.log(JSON.stringify({ digest: result.digest, ms, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
