// A stand-in for the cluster's DNS in a Node program run here as a Pod's process: node options that make
// dns.promises.lookup answer the given host names with the given addresses (e.g. a headless Service's name with one
// loopback address per replica: 127.0.0.2, 127.0.0.3, ...). Other names resolve as usual.

/** Node options (`--import` of a data: module) to put before the program's own arguments. */
export function dnsStandIn(hosts: Record<string, string[]>): string[] {
  const code = [
    "import dns from 'node:dns';",
    `const hosts = ${JSON.stringify(hosts)};`,
    'const lookup = dns.promises.lookup;',
    'dns.promises.lookup = async (host, options) =>',
    '  hosts[host] ? hosts[host].map((address) => ({ address, family: 4 })) : lookup(host, options);',
  ].join('\n');
  return ['--import', `data:text/javascript,${encodeURIComponent(code)}`];
}
