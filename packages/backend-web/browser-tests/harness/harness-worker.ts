import { serveFillMask } from '@fillmask/backend-web';

serveFillMask();
