/** Where the provisioning files are: a configured URL wins, else DHCP option 66, else nowhere. */
export type ProvisionSource = 'configured' | 'dhcp';

/**
 * Normalises a provisioning server as phones accept it: a full http(s) URL, or (typical of DHCP
 * option 66) a bare host, host:port or host/path, which means http. Returns the URL without a trailing slash.
 */
export function normaliseProvisionUrl(value: string): string | undefined {
  let v = value.trim();
  if (v === '') return undefined;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) v = `http://${v}`;
  const m = /^(https?):\/\/([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?(\/[^\s?#]*)?$/i.exec(v);
  if (!m) return undefined;
  return `${m[1].toLowerCase()}://${m[2]}${m[3] ?? ''}${(m[4] ?? '').replace(/\/+$/, '')}`;
}

export function chooseProvisionUrl(configured: string | undefined, dhcpOption66: string | undefined): { url: string; source: ProvisionSource } | undefined {
  const c = configured === undefined ? undefined : normaliseProvisionUrl(configured);
  if (c) return { url: c, source: 'configured' };
  const d = dhcpOption66 === undefined ? undefined : normaliseProvisionUrl(dhcpOption66);
  if (d) return { url: d, source: 'dhcp' };
  return undefined;
}

/** The MAC as provisioning servers name per-device files: 12 lowercase hex digits, no separators. */
export function macFileStem(mac: string): string | undefined {
  const hex = mac.replace(/[:\-.]/g, '').toLowerCase();
  return /^[0-9a-f]{12}$/.test(hex) ? hex : undefined;
}
