// jsQR 1.4.0 (vendored unchanged) as an ES module, so decode.js imports it like any module.
//
// Its dist file is UMD. Imported for its side effect inside a module there is no `exports`
// and no `define`, so it sets `self.jsQR`; no eval and no classic <script>, so the strict
// CSP (script-src 'self') holds. Loads ../vendor/jsqr/jsQR.js.

import "../vendor/jsqr/jsQR.js";

export default globalThis.jsQR;
