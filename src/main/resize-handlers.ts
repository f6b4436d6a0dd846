import type { AppSession } from '../core/app/app-face.js';
import type { Handlers } from './ipc-router.js';

/** Change type…'s channels, each mapped to its use case on the session. */
export function resizeHandlers(session: AppSession): Pick<Handlers, 'resize:choices' | 'resize:plan' | 'resize:apply'> {
  return {
    'resize:choices': ({ purpose }) => session.listResizeChoices(purpose),
    'resize:plan': ({ instanceType, skipDriverCheck }) => session.planTypeChange(instanceType, skipDriverCheck),
    'resize:apply': (request) => session.changeType(request),
  };
}
