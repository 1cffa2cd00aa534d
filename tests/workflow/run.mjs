// Runs a workflow of statemachine/ locally with aws-local-stepfunctions: every Lambda Task is bound to
// the matching function binary, run as `<binary> invoke` (event on stdin, response on stdout), with the
// environment pointing it at the emulator; the nested teardown of a rollback runs the same way.
//
//   node run.mjs <provision|teardown> <input.json|-> --functions DIR [--wait-ms N]
//
// Prints one JSON document on stdout: {status, output | error+cause, transitions, invocations}, and a
// line per state on stderr as it runs. Exit code 0 when the execution succeeded, 1 when it failed.

import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// aws-local-stepfunctions 3 declares Node >= 22 and calls Promise.withResolvers (Node 22+); Node 20 is
// what these machines have, and this is the only newer API it needs.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
const { StateMachine, ExecutionError } = await import('aws-local-stepfunctions');

const here = dirname(fileURLToPath(import.meta.url));
const machines = join(here, '..', '..', 'statemachine');

// The placeholders of the ASL files and what each stands for: the same table the CLI substitutes from.
const PLACEHOLDERS = JSON.parse(readFileSync(join(machines, 'placeholders.json'), 'utf8'));

function parseArgs(argv) {
  const [workflow, inputPath, ...rest] = argv;
  const options = { workflow, inputPath, functions: null, waitMs: 0 };
  for (let i = 0; i < rest.length; i += 2) {
    if (rest[i] === '--functions') options.functions = rest[i + 1];
    else if (rest[i] === '--wait-ms') options.waitMs = Number(rest[i + 1]);
    else throw new Error(`unknown option ${rest[i]}`);
  }
  if (!['provision', 'teardown'].includes(workflow) || !inputPath || !options.functions) {
    throw new Error('usage: node run.mjs <provision|teardown> <input.json|-> --functions DIR [--wait-ms N]');
  }
  return options;
}

const LOCAL_ACCOUNT = '000000000000';

// The definition with its placeholders replaced as the CLI's deploy replaces them, by ARNs.
function loadDefinition(name) {
  const text = readFileSync(join(machines, `${name}.asl.json`), 'utf8').replace(/\$\{(\w+)\}/g, (whole, key) => {
    const fn = PLACEHOLDERS.functions[key];
    if (fn) return `arn:aws:lambda:us-west-2:${LOCAL_ACCOUNT}:function:${fn}`;
    const machine = PLACEHOLDERS.stateMachines[key];
    if (machine) return `arn:aws:states:us-west-2:${LOCAL_ACCOUNT}:stateMachine:${machine}`;
    throw new Error(`${name}.asl.json uses the unknown placeholder ${whole}`);
  });
  return JSON.parse(text);
}

// Every state of a definition, Parallel branches included, so overrides reach nested states too.
function* allStates(definition) {
  for (const [name, state] of Object.entries(definition.States)) {
    yield [name, state];
    for (const branch of state.Branches ?? []) yield* allStates(branch);
  }
}

// The emulator never runs ECS tasks, so the service is judged ready once its deployment is accepted
// (functions/service, SERVICE_READY_WHEN); everything else is passed through.
// The rotation package is the stand-in tests/emulator/launch.py puts into the emulator's S3; moto
// cannot run the rotation Lambda, so rotation is only scheduled (ROTATE_IMMEDIATELY=false).
const LOCAL_ENV = {
  SERVICE_READY_WHEN: 'accepted',
  ROTATE_IMMEDIATELY: 'false',
  ROTATION_CODE_BUCKET: 'catalog-local-artifacts',
  ROTATION_CODE_KEY: 'rotation/bootstrap.zip',
  ...process.env,
};

class FunctionFailed extends Error {
  constructor(name, message) {
    super(message);
    // Retry and Catch match the error name: the stable errorType the binary printed.
    this.name = name;
  }
}

function invoker(binary, stats) {
  return async (input) => {
    stats.invocations += 1;
    const run = spawnSync(binary, ['invoke'], { input: JSON.stringify(input), encoding: 'utf8', env: LOCAL_ENV });
    // In AWS a missing function fails the task with Lambda.ResourceNotFoundException, which is not retried.
    if (run.error) throw new FunctionFailed('Lambda.ResourceNotFoundException', `${binary} could not start: ${run.error.message}`);
    if (run.stderr) process.stderr.write(run.stderr);
    let body;
    try {
      body = JSON.parse(run.stdout);
    } catch {
      throw new FunctionFailed('Lambda.ServiceException', `${binary} printed no JSON (exit ${run.status}): ${run.stdout}`);
    }
    if (run.status !== 0) throw new FunctionFailed(body.errorType, body.errorMessage);
    return body;
  };
}

async function execute(name, input, options, stats) {
  const definition = loadDefinition(name);
  const taskResourceLocalHandlers = {};
  const waitTimeOverrides = {};
  const retryIntervalOverrides = {};
  for (const [stateName, state] of allStates(definition)) {
    if (state.Type === 'Wait') waitTimeOverrides[stateName] = options.waitMs;
    if (state.Retry) retryIntervalOverrides[stateName] = 0;
    if (state.Type !== 'Task') continue;
    const lambda = /^arn:aws:lambda:[^:]+:\d+:function:([\w-]+)$/.exec(state.Resource)?.[1];
    if (lambda) {
      taskResourceLocalHandlers[stateName] = invoker(join(options.functions, lambda), stats);
    } else if (state.Resource.startsWith('arn:aws:states:::states:startExecution')) {
      // The nested workflow (the rollback's teardown) runs locally too; like .sync, it fails the task
      // when the child execution fails.
      taskResourceLocalHandlers[stateName] = async (parameters) => {
        const child = await execute('teardown', parameters.Input, options, stats);
        if (child.status !== 'SUCCEEDED') throw new FunctionFailed('States.TaskFailed', `${child.error}: ${child.cause}`);
        return child.output;
      };
    }
  }
  const machine = new StateMachine(definition);
  const context = { Execution: { Id: `local:${name}:${Date.now()}`, Name: `local-${name}`, Input: input, StartTime: new Date().toISOString() } };
  const execution = machine.run(input, { overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides }, context });
  const logger = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') {
        stats.transitions += 1;
        process.stderr.write(`${name}: ${event.state.name}\n`);
      }
    }
  })();
  try {
    const output = await execution.result;
    await logger;
    return { status: 'SUCCEEDED', output };
  } catch (error) {
    await logger.catch(() => {});
    if (error instanceof ExecutionError) {
      const cause = error.cause ?? error;
      return { status: 'FAILED', error: cause.name, cause: cause.message };
    }
    throw error;
  }
}

const options = parseArgs(process.argv.slice(2));
const inputText = options.inputPath === '-' ? readFileSync(0, 'utf8') : readFileSync(options.inputPath, 'utf8');
const stats = { transitions: 0, invocations: 0 };
const result = await execute(options.workflow, JSON.parse(inputText), options, stats);
process.stdout.write(`${JSON.stringify({ ...result, ...stats })}\n`);
process.exit(result.status === 'SUCCEEDED' ? 0 : 1);
