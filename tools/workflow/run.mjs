// Runs a workflow of statemachine/ locally with aws-local-stepfunctions: every Lambda Task is bound to
// the matching function binary, run as `<binary> invoke` (event on stdin, response on stdout), with the
// environment pointing it at the emulator; the nested teardown of a rollback runs the same way.
//
//   node run.mjs <provision|teardown|claim> <input.json|-> (--deployed MANIFEST | --functions DIR | --simulate TIMES.json) [--wait-ms N] [--fail FAULT]...
//   node run.mjs schedule - --deployed MANIFEST
//
// `schedule`: one run of the deployed schedule: its target function invoked with the target's input,
// as EventBridge Scheduler invokes a templated Lambda target (with no input set, Scheduler sends a
// notification of its own, which the cleanup ignores: `{}` stands in for it).
//
// --deployed MANIFEST: the backend as `envctl deploy` left it in the emulator, read back by `envctl local`
// (bootstrap/local/src/deployed.rs): the deployed definitions, and each Lambda Task running the deployed
// package's `bootstrap` with the deployed function's settings (environment, role, timeout), as Lambda
// would; only what the emulator cannot do is set on top (LOCAL_OVERRIDES).
//
// --functions DIR: the definitions of statemachine/ and the binaries of a build, with settings given
// by the caller's environment (LOCAL_ENV); the functions' own tests use it.
//
// --fail <function>[:<action>][@<State>] (test-only fault injection, repeatable): that function's Task
// throws ComponentFailed instead of running the binary, for every action or only the one named, in
// every Task state or only the one named (`network:create@ConvergeNetwork`: the wait loop's create, after
// the first one made the resources), in this workflow and in the nested rollback teardown alike. The
// functions themselves know nothing of it.
//
// --simulate TIMES.json: no function runs; each component answers as if its resources took the time
// TIMES.json gives ({"create": {"network": 120, …}, "delete": {…}}, seconds) to become READY or go,
// counted in the ASL's own Wait seconds: the transitions of a lifecycle at production poll intervals.
// A table named after the workflow (`"claim": {"service": 58, …}`) stands in for `create` in that
// workflow: a claim builds almost nothing, only the service's tasks start. --fail applies here too.
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
  const options = { workflow, inputPath, functions: null, deployed: null, waitMs: 0, faults: [], simulate: null };
  for (let i = 0; i < rest.length; i += 1) {
    const flag = rest[i];
    const value = rest[(i += 1)];
    if (flag === '--functions') options.functions = value;
    else if (flag === '--deployed') options.deployed = JSON.parse(readFileSync(value, 'utf8'));
    else if (flag === '--wait-ms') options.waitMs = Number(value);
    else if (flag === '--fail') options.faults.push(parseFault(value));
    else if (flag === '--simulate') options.simulate = JSON.parse(readFileSync(value, 'utf8'));
    else throw new Error(`unknown option ${flag}`);
  }
  const known = ['provision', 'teardown', 'claim'].includes(workflow) || (workflow === 'schedule' && options.deployed);
  if (!known || !inputPath || !(options.functions || options.deployed || options.simulate)) {
    throw new Error(
      'usage: node run.mjs <provision|teardown|claim> <input.json|-> (--deployed MANIFEST | --functions DIR | --simulate TIMES.json) [--wait-ms N] [--fail <function>[:<action>][@<State>]]...\n       node run.mjs schedule - --deployed MANIFEST',
    );
  }
  return options;
}

// `network`, `network:create` or `network:create@ConvergeNetwork`: the function (a placeholders.json
// name) and, optionally, one action and one Task state (the wait loop's create, not the first one).
function parseFault(text) {
  const [target, state, extraState] = (text ?? '').split('@');
  const [fn, action, extra] = target.split(':');
  const known = Object.values(PLACEHOLDERS.functions).includes(fn);
  if (!known || action === '' || extra !== undefined || state === '' || extraState !== undefined) {
    throw new Error(`--fail ${text}: expected <function>[:<action>][@<State>], function one of ${Object.values(PLACEHOLDERS.functions).join(', ')}`);
  }
  return { fn, action: action ?? null, state: state ?? null };
}

const LOCAL_ACCOUNT = '000000000000';

// The definition with its placeholders replaced as the CLI's deploy replaces them, by ARNs.
function sourceDefinition(name) {
  const text = readFileSync(join(machines, `${name}.asl.json`), 'utf8').replace(/\$\{(\w+)\}/g, (whole, key) => {
    const fn = PLACEHOLDERS.functions[key];
    if (fn) return `arn:aws:lambda:us-west-2:${LOCAL_ACCOUNT}:function:${fn}`;
    const machine = PLACEHOLDERS.stateMachines[key];
    if (machine) return `arn:aws:states:us-west-2:${LOCAL_ACCOUNT}:stateMachine:${machine}`;
    throw new Error(`${name}.asl.json uses the unknown placeholder ${whole}`);
  });
  return JSON.parse(text);
}

// The deployed state machine of that ARN, or of that name.
function deployedMachine(deployed, arnOrName) {
  const byArn = deployed.stateMachines[arnOrName];
  if (byArn) return byArn;
  const byName = Object.values(deployed.stateMachines).find((machine) => machine.name === arnOrName);
  if (!byName) throw new FunctionFailed('StateMachineDoesNotExist', `no deployed state machine ${arnOrName}`);
  return byName;
}

function loadDefinition(name, options) {
  return options.deployed ? deployedMachine(options.deployed, name).definition : sourceDefinition(name);
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
// The rotation package is the stand-in tools/emulator/launch.py puts into the emulator's S3; moto
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
  // The guard's three workflows, as `envctl deploy` names them in the emulator's account. Without a
  // deploy they do not exist, and a machine that does not exist runs no execution to refuse or stop.
  PROVISION_STATE_MACHINE_ARN: 'arn:aws:states:us-west-2:123456789012:stateMachine:provision',
  CLAIM_STATE_MACHINE_ARN: 'arn:aws:states:us-west-2:123456789012:stateMachine:claim',
  TEARDOWN_STATE_MACHINE_ARN: 'arn:aws:states:us-west-2:123456789012:stateMachine:teardown',
  ...process.env,
};

// What the emulator cannot do, set on top of a deployed function's own settings: the emulator runs no
// ECS task, so the service is ready once its deployment is accepted; and unless a PostgreSQL stands in
// for Aurora there (tools/emulator/local_rotation.py, `GET /_emulator/rotations`), it cannot run the
// rotation Lambda an immediate rotation invokes, so rotation is only scheduled.
const LOCAL_OVERRIDES = { SERVICE_READY_WHEN: 'accepted' };
async function emulatorRunsRotations() {
  try {
    const answer = await fetch(`${process.env.AWS_ENDPOINT_URL}/_emulator/rotations`);
    return answer.ok && (await answer.json()).postgres !== null;
  } catch {
    return false;
  }
}

// What a deployed function takes from the machine rather than from its configuration: where the
// emulator is (the SDK's endpoint variables), profile files kept out of the way, and the coverage
// and log settings of the run.
const FROM_THE_MACHINE = /^(AWS_ENDPOINT_URL(_\w+)?|AWS_CONFIG_FILE|AWS_SHARED_CREDENTIALS_FILE|LLVM_PROFILE_FILE|RUST_LOG|PATH)$/;

// The processor a package must be built for to run here, as Lambda names architectures.
const HOST_ARCHITECTURE = process.arch === 'arm64' ? 'arm64' : 'x86_64';

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
function injectedFault(fn, input, faults, stateName) {
  const action = input?.action ?? null;
  const hit = faults.some(
    (fault) =>
      fault.fn === fn && (fault.action === null || fault.action === action) && (fault.state === null || fault.state === stateName),
  );
  if (!hit) return null;
  return new FunctionFailed(INJECTED_ERROR, `fault injected by the local runner: ${fn} ${action ?? 'invoke'} failed`);
}


// The environment Lambda gives a function (Lambda developer guide, "Defined runtime environment
// variables"), its own variables, the machine's endpoints and LOCAL_OVERRIDES; it signs its requests
// with its role's name as access key id, so the emulator (its recorder, its behaviours) sees the role.
function deployedEnvironment(arn, fn) {
  const region = arn.split(':')[3];
  const machine = Object.fromEntries(Object.entries(process.env).filter(([key]) => FROM_THE_MACHINE.test(key)));
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    LAMBDA_TASK_ROOT: fn.root,
    _HANDLER: fn.handler,
    TZ: ':UTC',
    AWS_ACCESS_KEY_ID: fn.roleArn.split('/').pop(),
    AWS_SECRET_ACCESS_KEY: 'local',
    ...fn.environment,
    ...machine,
    ...LOCAL_OVERRIDES,
  };
}

// A Task of the deployed function `arn`: its package's bootstrap, run as `bootstrap invoke` (event on
// stdin, response on stdout), killed after the function's timeout.
function deployedInvoker(arn, deployed, stats, faults, stateName) {
  return async (input) => {
    stats.invocations += 1;
    const fn = deployed.functions[arn];
    if (!fn) throw new FunctionFailed('Lambda.ResourceNotFoundException', `Function not found: ${arn}`);
    const fault = injectedFault(fn.name, input, faults, stateName);
    if (fault) {
      stats.injected += 1;
      throw fault;
    }
    if (fn.runtime !== 'provided.al2023' || fn.architecture !== HOST_ARCHITECTURE) {
      throw new FunctionFailed(
        'Runtime.InvalidEntrypoint',
        `${fn.name} is ${fn.runtime} for ${fn.architecture}; this machine runs provided.al2023 packages for ${HOST_ARCHITECTURE}`,
      );
    }
    const bootstrap = join(fn.root, 'bootstrap');
    const run = spawnSync(bootstrap, ['invoke'], {
      input: JSON.stringify(input),
      encoding: 'utf8',
      env: deployedEnvironment(arn, fn),
      cwd: fn.root,
      timeout: fn.timeoutSeconds * 1000,
      killSignal: 'SIGKILL',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.stderr) process.stderr.write(run.stderr);
    // Lambda's own words for a function that ran out of time, as Step Functions reports them.
    if (run.error?.code === 'ETIMEDOUT') throw new FunctionFailed('Sandbox.Timedout', `Task timed out after ${fn.timeoutSeconds}.00 seconds`);
    if (run.error) throw new FunctionFailed('Runtime.InvalidEntrypoint', `${bootstrap} could not start: ${run.error.message}`);
    return answer(bootstrap, run);
  };
}

// The function's answer: its JSON, or its error as Step Functions matches it (errorType). A process
// that ended without an answer (a panic) is what Lambda reports as Runtime.ExitError, a function
// error no Retry of the workflows matches, as in AWS (not a retried Lambda.ServiceException).
function answer(binary, run) {
  let body;
  try {
    body = JSON.parse(run.stdout);
  } catch {
    throw new FunctionFailed('Runtime.ExitError', `${binary} exited without an answer (exit ${run.status}): ${run.stdout}`);
  }
  if (run.status !== 0) throw new FunctionFailed(body.errorType, body.errorMessage);
  return body;
}

function invoker(fn, binary, stats, faults, stateName) {
  return async (input) => {
    stats.invocations += 1;
    const fault = injectedFault(fn, input, faults, stateName);
    if (fault) {
      stats.injected += 1;
      throw fault;
    }
    const run = spawnSync(binary, ['invoke'], { input: JSON.stringify(input), encoding: 'utf8', env: LOCAL_ENV });
    // In AWS a missing function fails the task with Lambda.ResourceNotFoundException, which is not retried.
    if (run.error) throw new FunctionFailed('Lambda.ResourceNotFoundException', `${binary} could not start: ${run.error.message}`);
    if (run.stderr) process.stderr.write(run.stderr);
    return answer(binary, run);
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

// A stand-in for function `fn` that answers from simulated time instead of AWS (see --simulate), for
// the Task state `stateName`: a Create state starts the clock; the wait loop's Converge (create again)
// or Check (status) states read it. The claim's ClaimNetwork (a create of what exists) and its
// Read<Component> states (status) read it too: with no Wait before them, a time of 0 is READY at once.
function simulated(fn, times, waits, stats, faults) {
  let calls = 0;
  return (stateName) => async (input) => {
    stats.invocations += 1;
    const fault = injectedFault(fn, input, faults, stateName);
    if (fault) {
      stats.injected += 1;
      throw fault;
    }
    if (fn === 'validate') return input;
    // A simulated provision starts from nothing: its survey finds no network, so a failure rolls back.
    if (stateName === 'Survey') return { status: 'DELETED', outputs: {} };
    // Nothing else runs in a simulation: every provision is admitted, no teardown stops anything.
    if (fn === 'guard') return input.action === 'admit' ? { admitted: true, environment: input.environment } : { environment: input.environment, stopped: [] };
    const wait = waits[fn] ?? {};
    const polling = /^(Converge|Check|Claim|Read)/.test(stateName);
    let elapsed;
    let done;
    if (input.action === 'create' && !polling) {
      calls = 0;
      return { status: 'IN_PROGRESS', outputs: {} };
    } else if (input.action !== 'delete') {
      calls += 1;
      elapsed = (wait.WaitFor ?? 0) + (calls - 1) * (wait.WaitAgainFor ?? 0);
      done = 'READY';
    } else {
      calls += 1;
      elapsed = (calls - 1) * (wait.WaitToDelete ?? 0);
      done = 'DELETED';
    }
    const needed = times[input.action === 'delete' ? 'delete' : 'create'][fn];
    if (needed === undefined) throw new Error(`--simulate: no ${input.action} time for ${fn}`);
    stats.simulatedSeconds[fn] = elapsed;
    return { status: elapsed >= needed ? done : 'IN_PROGRESS', outputs: {} };
  };
}

// The --simulate times of workflow `name`: its own table, if TIMES.json has one, in place of `create`.
function simulatedTimes(simulate, name) {
  return { create: simulate[name] ?? simulate.create, delete: simulate.delete };
}

async function execute(name, input, options, stats) {
  const definition = loadDefinition(name, options);
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
    if (lambda && options.deployed) {
      taskResourceLocalHandlers[stateName] = deployedInvoker(state.Resource, options.deployed, stats, options.faults, stateName);
    } else if (lambda && options.simulate) {
      // One stand-in per function and workflow, shared by its create, converge/check or delete states.
      simulatedFunctions[lambda] ??= simulated(lambda, simulatedTimes(options.simulate, name), waits, stats, options.faults);
      taskResourceLocalHandlers[stateName] = simulatedFunctions[lambda](stateName);
    } else if (lambda) {
      taskResourceLocalHandlers[stateName] = invoker(lambda, join(options.functions, lambda), stats, options.faults, stateName);
    } else if (state.Resource.startsWith('arn:aws:states:::states:startExecution')) {
      // The nested workflow (the rollback's teardown) runs locally too; like .sync, it fails the task
      // when the child execution fails.
      taskResourceLocalHandlers[stateName] = async (parameters) => {
        // Deployed, the child is the machine the Task names; otherwise the teardown of statemachine/.
        const child = await execute(options.deployed ? parameters.StateMachineArn : 'teardown', parameters.Input, options, stats);
        if (child.status !== 'SUCCEEDED') throw new FunctionFailed('States.TaskFailed', `${child.error}: ${child.cause}`);
        return child.output;
      };
    }
  }
  const machine = new StateMachine(definition);
  // Progress lines name the workflow, also when a deployed child is named by its ARN.
  const label = options.deployed ? deployedMachine(options.deployed, name).name : name;
  const id = `local:${label}:${Date.now()}:${executions.size}`;
  executions.set(id, { name: label, stats });
  const context = { Execution: { Id: id, Name: `local-${label}`, Input: input, StartTime: new Date().toISOString() } };
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

// One run of the deployed schedule (see `schedule` above).
async function runSchedule(options, stats) {
  const { targetArn, input } = options.deployed.schedule;
  try {
    const output = await deployedInvoker(targetArn, options.deployed, stats, options.faults)(input ? JSON.parse(input) : {});
    return { status: 'SUCCEEDED', output };
  } catch (error) {
    return { status: 'FAILED', error: error.name, cause: error.message };
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
if (options.deployed && !(await emulatorRunsRotations())) LOCAL_OVERRIDES.ROTATE_IMMEDIATELY = 'false';
const inputText = options.inputPath === '-' ? readFileSync(0, 'utf8') : readFileSync(options.inputPath, 'utf8');
const stats = { transitions: 0, invocations: 0, injected: 0, simulatedSeconds: {} };
const result =
  options.workflow === 'schedule' ? await runSchedule(options, stats) : await execute(options.workflow, JSON.parse(inputText), options, stats);
process.stdout.write(`${JSON.stringify({ ...result, ...stats })}\n`);
process.exit(result.status === 'SUCCEEDED' ? 0 : 1);
