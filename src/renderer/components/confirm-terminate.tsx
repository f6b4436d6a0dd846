import { useLayoutEffect, useRef } from 'react';

/** Asks before terminating, offering to save an image first (the default, focused button). */
export function ConfirmTerminate(props: {
  name: string;
  busy: boolean;
  onTerminate: (saveImage: boolean) => void;
  onCancel: () => void;
}) {
  const first = useRef<HTMLButtonElement>(null);
  // Before paint, so an Enter pressed as soon as it shows answers it.
  useLayoutEffect(() => first.current?.focus(), []);
  return (
    <section className="confirm" role="alertdialog" aria-modal="true" aria-labelledby="confirm-title" aria-describedby="confirm-body">
      <h2 id="confirm-title">Terminate {props.name}?</h2>
      <p id="confirm-body">
        Terminating deletes the instance and its disk, with everything installed on it. Save an image first to
        start from it next time (the image's snapshot is billed for storage until you delete it).
      </p>
      <div className="actions stacked">
        <button ref={first} type="button" className="primary" disabled={props.busy} onClick={() => props.onTerminate(true)}>
          Save image, then terminate
        </button>
        <button type="button" className="danger" disabled={props.busy} onClick={() => props.onTerminate(false)}>
          Terminate without saving
        </button>
        <button type="button" onClick={props.onCancel}>Cancel</button>
      </div>
    </section>
  );
}
