/**
 * Runs in each integration test worker before its suite: the Temporal runtime of in-process
 * workers logs JSON lines like the services, and only warnings and errors.
 */
import { installTemporalJsonLogging } from '@lapse/temporal';

installTemporalJsonLogging('test', 'WARN');
