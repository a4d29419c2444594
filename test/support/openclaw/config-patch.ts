import { rawRpc } from './raw-client.js';

/**
 * `config.patch` on the real gateway with compare-and-swap, retried when the config changed meanwhile.
 * `replacePaths`: the array paths this patch may shrink or delete (the gateway refuses it otherwise).
 */
export async function patchGatewayConfig(url: string, token: string, raw: string, replacePaths?: string[]): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const { hash } = await rawRpc<{ hash: string }>(url, token, 'config.get');
    try {
      await rawRpc(url, token, 'config.patch', { raw, baseHash: hash, ...(replacePaths && { replacePaths }) });
      return;
    } catch (err) {
      if (!/changed since/i.test(String(err))) throw err;
    }
  }
}
