import { useLayoutEffect, useRef } from 'react';
import type { ReminderView } from '../../shared/views.js';

/**
 * A reminder waiting for an answer: the same Stop now / Snooze choices as the notification's
 * buttons (which only macOS shows). Takes focus when a new reminder arrives, so the keyboard can answer.
 */
export function ReminderBox(props: {
  reminder: ReminderView;
  busy: boolean;
  onAnswer: (action: 'stop' | 'snooze' | 'dismiss') => void;
}) {
  const { reminder } = props;
  const first = useRef<HTMLButtonElement>(null);
  // Before paint, so an Enter pressed as soon as it shows answers it.
  useLayoutEffect(() => first.current?.focus(), [reminder.id]);
  return (
    <section className="reminder" role="alertdialog" aria-labelledby="reminder-title" aria-describedby="reminder-body">
      <p id="reminder-title" className="reminder-title">{reminder.title}</p>
      <p id="reminder-body">{reminder.body}</p>
      <div className="actions">
        {reminder.canStop ? (
          <button ref={first} type="button" className="primary" disabled={props.busy} onClick={() => props.onAnswer('stop')}>Stop now</button>
        ) : null}
        {reminder.canSnooze ? (
          <button ref={reminder.canStop ? undefined : first} type="button" disabled={props.busy} onClick={() => props.onAnswer('snooze')}>
            {reminder.snoozeLabel}
          </button>
        ) : null}
        <button type="button" className="link" disabled={props.busy} onClick={() => props.onAnswer('dismiss')}>Dismiss</button>
      </div>
    </section>
  );
}
