import { rawRpc } from './raw-client.js';

/** `config.patch` on the real gateway with compare-and-swap, retried when the config changed meanwhile. */
export async function patchGatewayConfig(url: string, token: string, raw: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const { hash } = await rawRpc<{ hash: string }>(url, token, 'config.get');
    try {
      await rawRpc(url, token, 'config.patch', { raw, baseHash: hash });
      return;
    } catch (err) {
      if (!/changed since/i.test(String(err))) throw err;
    }
  }
}
