import { parsePolicyForm, policyFormModel, appliedPolicy, describeAutoLock } from './policy-form';

const DAY = 86400;

describe('parsePolicyForm', () => {
  it('reads a preset auto-lock and JIT off as a default policy', () => {
    expect(
      parsePolicyForm(
        { autoLock: String(30 * DAY), autoLockApproval: 'MANUAL', jit: 'off' },
        'default',
      ),
    ).toEqual({
      ok: true,
      policy: { autoLock: { durationSeconds: 30 * DAY, approval: 'MANUAL' }, accessRequests: null },
    });
  });

  it('reads custom seconds, the requester’s choice, and automatic approval', () => {
    expect(
      parsePolicyForm(
        {
          autoLock: 'custom',
          autoLockSeconds: ' 90 ',
          autoLockApproval: 'AUTOMATIC',
          jit: 'CUSTOM',
        },
        'default',
      ),
    ).toEqual({
      ok: true,
      policy: {
        autoLock: { durationSeconds: 90, approval: 'AUTOMATIC' },
        accessRequests: { accessPeriodSeconds: 'CUSTOM', approval: 'MANUAL' },
      },
    });
  });

  it('leaves out a part that inherits, in an override only', () => {
    expect(parsePolicyForm({ autoLock: String(7 * DAY), jit: 'inherit' }, 'override')).toEqual({
      ok: true,
      policy: { autoLock: { durationSeconds: 7 * DAY, approval: 'MANUAL' } },
    });
    const asDefault = parsePolicyForm({ autoLock: 'off', jit: 'inherit' }, 'default');
    expect(asDefault).toEqual({ ok: false, errors: [expect.objectContaining({ field: 'jit' })] });
  });

  it('names the field of each mistake', () => {
    const r = parsePolicyForm(
      {
        autoLock: 'custom',
        autoLockSeconds: '1.5',
        jit: 'custom',
        jitSeconds: String(8 * DAY),
        jitApproval: 'SOMETIMES',
      },
      'default',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.field).sort()).toEqual([
      'autoLockSeconds',
      'jitApproval',
      'jitSeconds',
    ]);
    expect(r.errors.find((e) => e.field === 'jitSeconds')?.message).toContain('7 days');
    expect(parsePolicyForm({ autoLock: '12345', jit: 'off' }, 'default')).toEqual({
      ok: false,
      errors: [expect.objectContaining({ field: 'autoLock' })],
    });
    expect(
      parsePolicyForm({ autoLock: 'custom', autoLockSeconds: '0', jit: 'off' }, 'default').ok,
    ).toBe(false);
  });
});

describe('policyFormModel', () => {
  it('checks the preset in use, or custom with its seconds', () => {
    const m = policyFormModel(
      {
        autoLock: { durationSeconds: 60 * DAY, approval: 'AUTOMATIC' },
        accessRequests: { accessPeriodSeconds: 5400, approval: 'MANUAL' },
      },
      'default',
    );
    expect(m.autoLock.options.filter((o) => o.checked).map((o) => o.label)).toEqual(['60 days']);
    expect(m.autoLock.approvalAutomatic).toBe(true);
    expect(m.autoLock.options.map((o) => o.label)).toEqual([
      'Off',
      '1 day',
      '7 days',
      '30 days',
      '60 days',
      '90 days',
      'Custom (seconds)',
    ]);
    expect(m.jit.options.find((o) => o.checked)?.value).toBe('custom');
    expect(m.jit.customSeconds).toBe('5400');
  });

  it('offers inherit in an override, checked for a part left out', () => {
    const m = policyFormModel({ autoLock: null }, 'override', 'o', [
      { field: 'jit', message: 'x' },
    ]);
    expect(m.autoLock.options.find((o) => o.checked)?.value).toBe('off');
    expect(m.jit.options.find((o) => o.checked)?.value).toBe('inherit');
    expect(m.errors).toEqual({ jit: 'x' });
  });
});

describe('appliedPolicy and describe', () => {
  it('takes the override’s parts and the default’s others', () => {
    const def = {
      autoLock: { durationSeconds: 30 * DAY, approval: 'MANUAL' as const },
      accessRequests: null,
    };
    expect(
      appliedPolicy(def, { autoLock: { durationSeconds: 7 * DAY, approval: 'MANUAL' } }),
    ).toEqual({
      autoLock: { durationSeconds: 7 * DAY, approval: 'MANUAL' },
      accessRequests: null,
    });
    expect(describeAutoLock(def.autoLock)).toBe('30 days, manual approval');
    expect(describeAutoLock(null)).toBe('Off');
    expect(describeAutoLock(undefined)).toBe('Inherits');
  });
});
