import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { LapseError } from './errors';

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
 * DTO validation: unknown fields are refused, types are not coerced silently, and the
 * 400 names the field (`{"message": "policy.autoLock.durationSeconds: must not be greater than 34560000"}`).
 */
export function lapseValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
