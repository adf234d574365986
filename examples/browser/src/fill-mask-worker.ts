// The worker that createWorkerFillMask talks to: the model, the tokenizer and onnxruntime-web live here.
import { serveFillMask } from '@fillmask/backend-web';

serveFillMask();
