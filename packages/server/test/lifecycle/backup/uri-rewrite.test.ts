import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { rewriteRow, uriRewrite } from '../../../src/lifecycle/backup/uri-rewrite.ts';

const FROM = 's3://mlpipeline/v2?endpoint=http://minio:9000&region=us-east-1';
const TO = 'file:///srv/cairn/artifacts';
const rewrite = uriRewrite(FROM, `${TO}/`);

describe('artifact URI rewriting', () => {
  test('nothing to do between equal store URLs', () => {
    assert.equal(uriRewrite(TO, `${TO}/`), undefined);
  });

  test("an artifact's URI under the old store moves, and its digest with it", () => {
    assert.ok(rewrite);
    const row = rewriteRow('artifacts', { id: 'a', uri: `${FROM}/p/r/t/model`, uri_sha256: 'old' }, rewrite);
    const uri = `${TO}/p/r/t/model`;
    assert.deepEqual(row, { id: 'a', uri, uri_sha256: createHash('sha256').update(uri).digest('hex') });
  });

  test('URIs elsewhere, and URLs merely mentioned inside longer strings, stay as written', () => {
    assert.ok(rewrite);
    const elsewhere = { id: 'b', uri: 's3://other/p/r/t/model', uri_sha256: 'x' };
    assert.equal(rewriteRow('artifacts', elsewhere, rewrite), elsewhere);
    const prefixOnly = { id: 'c', uri: `${FROM}x/model`, uri_sha256: 'x' };
    assert.equal(rewriteRow('artifacts', prefixOnly, rewrite), prefixOnly);
    const outputs = JSON.stringify({ note: `copied from ${FROM}/x`, uri: `${FROM}/p/model` });
    assert.deepEqual(rewriteRow('tasks', { outputs }, rewrite), {
      outputs: JSON.stringify({ note: `copied from ${FROM}/x`, uri: `${TO}/p/model` }),
    });
  });

  test('a pipeline root equal to the old store URL moves too; pipeline specs never change', () => {
    assert.ok(rewrite);
    const runtime = JSON.stringify({ parameters: {}, pipeline_root: FROM });
    const spec = JSON.stringify({ defaultPipelineRoot: FROM });
    assert.deepEqual(rewriteRow('runs', { runtime_config: runtime, pipeline_spec: spec }, rewrite), {
      runtime_config: JSON.stringify({ parameters: {}, pipeline_root: TO }),
      pipeline_spec: spec,
    });
  });
});
