import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { CONTROL_CHARS_MESSAGE, hasControlChars } from '@lapse/contracts/workflow';
import { LapseError } from './errors';

/**
 * The path of the first string in a request body, query or route parameter that holds NUL or
 * another control character (line breaks and tabs are text), or null. Walks without recursion.
 */
export function findControlChars(value: unknown, root = ''): string | null {
  const stack: { v: unknown; path: string }[] = [{ v: value, path: root }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { v, path } = item;
    if (typeof v === 'string') {
      if (hasControlChars(v)) return path || 'body';
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: `${path}[${i}]` });
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, child] = entries[i];
        if (hasControlChars(k)) return path || 'body';
        stack.push({ v: child, path: path ? `${path}.${k}` : k });
      }
    }
  }
  return null;
}

/** Refuses NUL and control characters anywhere in what a client sends (rule 15), then validates. */
class LapseValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      const root =
        metadata.type === 'param' || (metadata.type === 'query' && metadata.data)
          ? (metadata.data ?? '')
          : '';
      const field = findControlChars(value, root);
      if (field !== null) throw LapseError.validation(field, CONTROL_CHARS_MESSAGE);
    }
    return super.transform(value, metadata);
  }
}

interface Problem {
  field: string;
  property: string;
  message: string;
}

function firstProblem(errors: ValidationError[], prefix = ''): Problem {
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints && Object.keys(e.constraints).length > 0) {
      // A missing field is "required", whatever rule happened to be checked first.
      if (e.constraints.whitelistValidation)
        return { field, property: e.property, message: 'is not a known field' };
      if (e.value === undefined) return { field, property: e.property, message: 'is required' };
      return { field, property: e.property, message: Object.values(e.constraints)[0] };
    }
    if (e.children?.length) return firstProblem(e.children, field);
  }
  return { field: prefix || 'body', property: '', message: 'is invalid' };
}

/**
 * DTO validation: text with NUL or control characters is refused first, naming the field;
 * unknown fields are refused, types are not coerced silently, and the
 * 400 names the field (`{"message": "policy.autoLock.durationSeconds: must not be greater than 34560000"}`).
 */
export function lapseValidationPipe(): ValidationPipe {
  return new LapseValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const { field, property, message } = firstProblem(errors);
      // class-validator messages start with the property name: say the full path instead.
      const text = message.startsWith(`${property} `)
        ? message.slice(property.length + 1)
        : message;
      return LapseError.validation(field, text);
    },
  });
}
