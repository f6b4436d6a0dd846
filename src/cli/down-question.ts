import confirm from '@inquirer/confirm';
import type { QuestionContext } from './prompt.js';

/** What the user chose at `rig down`'s question. */
export type DownAnswer = 'save-image' | 'terminate' | 'cancel';

/**
 * `rig down` on a terminal, as the app's Terminate: offers to save an image first (the disk is
 * otherwise deleted with the instance), then asks to terminate. With --save-image the first
 * question is already answered. Each question defaults to the answer that loses nothing.
 */
export async function askToTerminate(name: string, saveImage: boolean, context?: QuestionContext): Promise<DownAnswer> {
  const save = saveImage || await confirm({ message: `Save an image of ${name} first (keeps its disk as an image that rig up can launch from)?`, default: true }, context);
  const message = save ? `Terminate workstation ${name} after saving an image?` : `Terminate workstation ${name} without saving an image (its disk is deleted)?`;
  if (!(await confirm({ message, default: false }, context))) return 'cancel';
  return save ? 'save-image' : 'terminate';
}
