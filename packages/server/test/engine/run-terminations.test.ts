// The in-process word that a run is terminated: heard by those listening to that run, until they stop.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunTerminations } from '../../src/engine/runs/run-terminations.ts';

test('a termination reaches the listeners of its run only, until each stops listening', () => {
  const terminations = new RunTerminations();
  const heard: string[] = [];
  const stopA1 = terminations.listen('a', () => heard.push('a1'));
  terminations.listen('a', () => heard.push('a2'));
  terminations.listen('b', () => heard.push('b'));
  terminations.terminated('a');
  assert.deepEqual(heard, ['a1', 'a2']);
  stopA1();
  stopA1();
  terminations.terminated('a');
  terminations.terminated('c');
  assert.deepEqual(heard, ['a1', 'a2', 'a2']);
});

test('a listener that stops listening while the word goes round does not stop the others hearing it', () => {
  const terminations = new RunTerminations();
  const heard: string[] = [];
  const stopFirst = terminations.listen('a', () => {
    heard.push('first');
    stopFirst();
  });
  terminations.listen('a', () => heard.push('second'));
  terminations.terminated('a');
  terminations.terminated('a');
  assert.deepEqual(heard, ['first', 'second', 'second']);
});
