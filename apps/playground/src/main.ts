/**
 * The playground page: the backend picker, then four panels. Each panel
 * builds its own controls into its section; `document.body.dataset.ready`
 * is set once all of them are up (the end-to-end tests wait for it).
 */
import './style.css';
import './tfjs-setup.js';
import { mountAttentionPanel } from './panels/attention-panel.js';
import { mountConformancePanel } from './panels/conformance-panel.js';
import { mountGeneratePanel } from './panels/generate-panel.js';
import { mountTrainPanel } from './panels/train-panel.js';
import { mountPicker } from './picker.js';
import { byId, message } from './ui/dom.js';

const isolation = byId('isolation', HTMLParagraphElement);
isolation.textContent = crossOriginIsolated
  ? 'This page is cross-origin isolated (COOP/COEP): SharedArrayBuffer is on, so ONNX Runtime Web runs threads (its default: half the cores, at most 4). The other backends run on one thread here; training runs in a web worker beside the page.'
  : 'This page is not cross-origin isolated (its server sends no COOP/COEP headers): everything runs, ONNX Runtime Web on one thread like the other backends.';

try {
  await mountPicker(byId('picker', HTMLParagraphElement));
  await Promise.all([
    mountConformancePanel(byId('conformance', HTMLElement)),
    mountGeneratePanel(byId('generate', HTMLElement)),
    mountAttentionPanel(byId('attention', HTMLElement)),
    mountTrainPanel(byId('train', HTMLElement)),
  ]);
  document.body.dataset.ready = 'true';
} catch (e) {
  document.body.dataset.ready = 'error';
  isolation.textContent = `The page failed to start: ${message(e)}`;
  throw e;
}
