// Read by .dependency-cruiser.cjs as a webpack config: only its resolve section, for the renderer's
// `$contract` alias (declared for real in renderer/tsconfig.json and renderer/vite.config.ts).
const path = require('node:path');

module.exports = {
  resolve: { alias: { $contract: path.join(__dirname, 'main/contract/index.ts') } },
};
