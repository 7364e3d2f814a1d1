/**
 * Where a request goes next (RFC 3261 §8.1.2, RFC 3263): the first Route's URI if there is one (loose routing),
 * else the Request-URI; numeric hosts are used as they are, names go through the RFC 3263 locator.
 */
import type { SipLocator } from '../dns/sip-locator.js';
import { isIpAddress } from '../dns/message.js';
import type { SipRequest } from '../message.js';
import type { Protocol, Target } from '../transport/types.js';
import { isSipUri, type SipUri, type Uri } from '../uri.js';
import { SipError } from '../errors.js';

/** The URI whose host the request is sent to. */
export function nextHopUri(request: SipRequest, outboundProxy?: SipUri): SipUri {
  const route = request.route[0];
  if (route) {
    if (!isSipUri(route.uri)) throw new SipError('Route is not a sip: or sips: URI', 416);
    return route.uri;
  }
  if (outboundProxy) return outboundProxy;
  const uri: Uri = request.uri;
  if (!isSipUri(uri)) throw new SipError(`cannot route a ${uri.scheme}: Request-URI without a proxy`, 416);
  return uri;
}

function protocolOf(uri: SipUri): Protocol {
  if (uri.scheme === 'sips') return 'TLS';
  const t = uri.params['transport']?.toUpperCase();
  return t === 'TCP' ? 'TCP' : t === 'TLS' ? 'TLS' : 'UDP';
}

/**
 * Targets for a URI, in the order to try them. Numeric hosts need no DNS and are answered synchronously (so a
 * request to one leaves at once); names go through the RFC 3263 locator.
 */
export function resolveTargets(uri: SipUri, locator: SipLocator | undefined): Target[] | Promise<Target[]> {
  const host = uri.params['maddr'] ?? uri.host;
  if (isIpAddress(host)) {
    const protocol = protocolOf(uri);
    const port = uri.port ?? (protocol === 'TLS' ? 5061 : 5060);
    const target: Target = { protocol, address: host, port, tcpAllowed: protocol === 'UDP' && uri.params['transport'] === undefined };
    return [protocol === 'TLS' ? { ...target, serverName: host } : target];
  }
  if (host === 'localhost') return resolveTargets({ ...uri, host: '127.0.0.1' }, locator);
  if (!locator) throw new SipError(`cannot resolve ${host}: no DNS servers configured`, 503);
  return locator.resolve({ ...uri, host }).then((found) =>
    found.map((t) => {
      const target: Target = { protocol: t.transport as Protocol, address: t.address, port: t.port };
      return t.transport === 'TLS' ? { ...target, serverName: t.domain } : target;
    }),
  );
}
