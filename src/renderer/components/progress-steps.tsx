import type { ProgressStep } from '../../shared/views.js';

/** The steps of a transition, the current one marked for screen readers too. */
export function ProgressSteps({ steps }: { steps: readonly ProgressStep[] }) {
  return (
    <ol className="progress" aria-label="Progress">
      {steps.map((step) => (
        <li key={step.id} className={`step ${step.state}`} aria-current={step.state === 'current' ? 'step' : undefined}>
          <span className="dot" aria-hidden="true" />
          <span>{step.label}</span>
          {step.state === 'done' ? <span className="visually-hidden"> (done)</span> : null}
        </li>
      ))}
    </ol>
  );
}
