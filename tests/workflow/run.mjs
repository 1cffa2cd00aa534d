// Runs a workflow of statemachine/ locally with aws-local-stepfunctions: every Lambda Task is bound to
// the matching function binary, run as `<binary> invoke` (event on stdin, response on stdout), with the
// environment pointing it at the emulator; the nested teardown of a rollback runs the same way.
//
//   node run.mjs <provision|teardown> <input.json|-> --functions DIR [--wait-ms N] [--fail FAULT]... [--principals]
//
// --fail <function>[:<action>] (test-only fault injection, repeatable): that function's Task throws
// ComponentFailed instead of running the binary, for every action or only the one named, in this
// workflow and in the nested rollback teardown alike. The functions themselves know nothing of it.
//
// --principals: each function signs its AWS requests with the name of its deployed role as access key id
// (catalog-fn-<function>, as envctl deploy names it), so the emulator's request recorder can tell the
// callers apart for the offline IAM check (tests/iam).
//
// --simulate TIMES.json: no function runs; each component answers as if its resources took the time
// TIMES.json gives ({"create": {"network": 120, …}, "delete": {…}}, seconds) to become READY or go,
// counted in the ASL's own Wait seconds: the transitions of a lifecycle at production poll intervals.
//
// Prints one JSON document on stdout: {status, output | error+cause, transitions, invocations, injected
// (faults thrown)}, and a line per state on stderr as it runs. Exit code 0 when the execution succeeded, 1 when it failed.

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
  const options = { workflow, inputPath, functions: null, waitMs: 0, faults: [], simulate: null, principals: false };
  for (let i = 0; i < rest.length; i += 1) {
    const flag = rest[i];
    if (flag === '--principals') {
      options.principals = true;
      continue;
    }
    const value = rest[(i += 1)];
    if (flag === '--functions') options.functions = value;
    else if (flag === '--wait-ms') options.waitMs = Number(value);
    else if (flag === '--fail') options.faults.push(parseFault(value));
    else if (flag === '--simulate') options.simulate = JSON.parse(readFileSync(value, 'utf8'));
    else throw new Error(`unknown option ${flag}`);
  }
  if (!['provision', 'teardown'].includes(workflow) || !inputPath || !(options.functions || options.simulate)) {
    throw new Error(
      'usage: node run.mjs <provision|teardown> <input.json|-> (--functions DIR | --simulate TIMES.json) [--wait-ms N] [--fail <function>[:<action>]]... [--principals]',
    );
  }
  return options;
}

// `network` or `network:status`: the function (a placeholders.json name) and, optionally, one action.
function parseFault(text) {
  const [fn, action, extra] = (text ?? '').split(':');
  if (!Object.values(PLACEHOLDERS.functions).includes(fn) || action === '' || extra !== undefined) {
    throw new Error(`--fail ${text}: expected <function>[:<action>], function one of ${Object.values(PLACEHOLDERS.functions).join(', ')}`);
  }
  return { fn, action: action ?? null };
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
// The roles the functions create carry the permissions boundary envctl deploy makes, by its ARN in
// the emulator's account (moto's default, 123456789012).
const LOCAL_ENV = {
  SERVICE_READY_WHEN: 'accepted',
  ROLE_PERMISSIONS_BOUNDARY: 'arn:aws:iam::123456789012:policy/catalog-environments-role-boundary',
  ROTATE_IMMEDIATELY: 'false',
  ROTATION_CODE_BUCKET: 'catalog-local-artifacts',
  ROTATION_CODE_KEY: 'rotation/bootstrap.zip',
  ROTATION_ARCHITECTURE: 'x86_64',
  ...process.env,
};

class FunctionFailed extends Error {
  constructor(name, message) {
    super(message);
    // Retry and Catch match the error name: the stable errorType the binary printed.
    this.name = name;
  }
}

// The error an injected fault throws: the one a component answers when a resource reached a failed state
// (env_core::ErrorName::ComponentFailed), terminal, so never retried; the cause says it was injected.
const INJECTED_ERROR = 'ComponentFailed';
function injectedFault(fn, input, faults) {
  const action = input?.action ?? null;
  const hit = faults.some((fault) => fault.fn === fn && (fault.action === null || fault.action === action));
  if (!hit) return null;
  return new FunctionFailed(INJECTED_ERROR, `fault injected by the local runner: ${fn} ${action ?? 'invoke'} failed`);
}

// The environment a function runs with: the local settings, and with --principals its role's name as
// the access key id its requests are signed with.
function environmentOf(fn, principals) {
  return principals ? { ...LOCAL_ENV, AWS_ACCESS_KEY_ID: `catalog-fn-${fn}` } : LOCAL_ENV;
}

function invoker(fn, binary, stats, faults, principals) {
  return async (input) => {
    stats.invocations += 1;
    const fault = injectedFault(fn, input, faults);
    if (fault) {
      stats.injected += 1;
      throw fault;
    }
    const run = spawnSync(binary, ['invoke'], { input: JSON.stringify(input), encoding: 'utf8', env: environmentOf(fn, principals) });
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

// The Wait seconds of a component's poll loop, read from the definition by the states' names:
// provision waits `WaitFor<C>` after create and `WaitAgainFor<C>` between checks, teardown waits
// `WaitToDelete<C>` between deletes.
function pollWaits(definition) {
  const waits = {};
  for (const [stateName, state] of allStates(definition)) {
    const match = /^(WaitFor|WaitAgainFor|WaitToDelete)(\w+)$/.exec(stateName);
    if (state.Type !== 'Wait' || !match) continue;
    const component = match[2].toLowerCase();
    waits[component] ??= {};
    waits[component][match[1]] = state.Seconds;
  }
  return waits;
}

// A stand-in for function `fn` that answers from simulated time instead of AWS (see --simulate).
function simulated(fn, times, waits, stats) {
  let calls = 0;
  return async (input) => {
    stats.invocations += 1;
    if (fn === 'validate') return input;
    const wait = waits[fn] ?? {};
    let elapsed;
    let done;
    if (input.action === 'create') {
      calls = 0;
      return { status: 'IN_PROGRESS', outputs: {} };
    } else if (input.action === 'status') {
      calls += 1;
      elapsed = (wait.WaitFor ?? 0) + (calls - 1) * (wait.WaitAgainFor ?? 0);
      done = 'READY';
    } else {
      calls += 1;
      elapsed = (calls - 1) * (wait.WaitToDelete ?? 0);
      done = 'DELETED';
    }
    const needed = times[input.action === 'status' ? 'create' : 'delete'][fn];
    if (needed === undefined) throw new Error(`--simulate: no ${input.action} time for ${fn}`);
    stats.simulatedSeconds[fn] = elapsed;
    return { status: elapsed >= needed ? done : 'IN_PROGRESS', outputs: {} };
  };
}

async function execute(name, input, options, stats) {
  const definition = loadDefinition(name);
  const waits = pollWaits(definition);
  const taskResourceLocalHandlers = {};
  const waitTimeOverrides = {};
  const retryIntervalOverrides = {};
  const simulatedFunctions = {};
  for (const [stateName, state] of allStates(definition)) {
    if (state.Type === 'Wait') waitTimeOverrides[stateName] = options.waitMs;
    if (state.Retry) retryIntervalOverrides[stateName] = 0;
    if (state.Type !== 'Task') continue;
    const lambda = /^arn:aws:lambda:[^:]+:\d+:function:([\w-]+)$/.exec(state.Resource)?.[1];
    if (lambda && options.simulate) {
      // One stand-in per function and workflow, shared by its create/status or delete states.
      simulatedFunctions[lambda] ??= simulated(lambda, options.simulate, waits, stats);
      taskResourceLocalHandlers[stateName] = simulatedFunctions[lambda];
    } else if (lambda) {
      taskResourceLocalHandlers[stateName] = invoker(lambda, join(options.functions, lambda), stats, options.faults, options.principals);
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
  const id = `local:${name}:${Date.now()}:${executions.size}`;
  executions.set(id, { name, stats });
  const context = { Execution: { Id: id, Name: `local-${name}`, Input: input, StartTime: new Date().toISOString() } };
  const execution = machine.run(input, { overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides }, context });
  try {
    const output = await execution.result;
    return { status: 'SUCCEEDED', output };
  } catch (error) {
    if (error instanceof ExecutionError) {
      const cause = error.cause ?? error;
      return { status: 'FAILED', error: cause.name, cause: cause.message };
    }
    throw error;
  }
}

// Counting transitions. The library's `eventLogs` forwards a Parallel branch's events to the root
// asynchronously and drops whatever arrives after the root execution ends, so it loses states (most
// of a branch whose tasks answer at once). Instead every execution, branches included (they run
// through the same method with the root's context), reports each state as it is entered: a wrapper
// around StateMachine.prototype.execute, an internal of aws-local-stepfunctions 3.0.0 (pinned).
const executions = new Map();
const executeMachine = StateMachine.prototype.execute;
StateMachine.prototype.execute = function countingStates(input, options, cleanup) {
  const logger = options.eventLogger;
  const entered = logger.dispatchStateEnteredEvent.bind(logger);
  const owner = executions.get(options.runOptions?.context?.Execution?.Id);
  logger.dispatchStateEnteredEvent = (stateName, stateType, stateInput) => {
    if (owner) {
      owner.stats.transitions += 1;
      process.stderr.write(`${owner.name}: ${stateName}\n`);
    }
    entered(stateName, stateType, stateInput);
  };
  return executeMachine.call(this, input, options, cleanup);
};

const options = parseArgs(process.argv.slice(2));
const inputText = options.inputPath === '-' ? readFileSync(0, 'utf8') : readFileSync(options.inputPath, 'utf8');
const stats = { transitions: 0, invocations: 0, injected: 0, simulatedSeconds: {} };
const result = await execute(options.workflow, JSON.parse(inputText), options, stats);
process.stdout.write(`${JSON.stringify({ ...result, ...stats })}\n`);
process.exit(result.status === 'SUCCEEDED' ? 0 : 1);
