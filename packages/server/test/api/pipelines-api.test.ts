// The pipelines API: pipelines and their versions, created from an inline spec or a package URL,
// listed, fetched by id or name, and deleted (with cascade), on every dialect.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from '../engine/support/engine-harness.ts';
import { dialectTargets } from '../support/test-databases.ts';
import { startApi, type TestApi } from './support/api-harness.ts';

const PIPELINES = '/apis/v2beta1/pipelines';
const HELLO_TEXT = readFileSync(path.join(REPO_ROOT, 'fixtures/kfp/ir/hello_world.yaml'), 'utf8');
const HELLO = parseYaml(HELLO_TEXT) as Record<string, unknown>;

/** A multipart/form-data body with one file, as KFP's SDK and UI upload a pipeline. */
function multipart(field: string, fileName: string, content: string) {
  const boundary = `----cairn${randomUUID()}`;
  const payload =
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileName}"\r\n` +
    `Content-Type: application/x-yaml\r\n\r\n${content}\r\n--${boundary}--\r\n`;
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function upload(api: TestApi, url: string, field: string, fileName: string, content: string) {
  const response = await api.app.inject({ method: 'POST', url, ...multipart(field, fileName, content) });
  return { status: response.statusCode, body: JSON.parse(response.body) };
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`pipelines API on ${dialect}`, { skip }, () => {
    let api: TestApi;
    let packageServer: Server;
    let packageUrl: string;
    before(async () => {
      api = await startApi(dialect);
      packageServer = createServer((request, response) => {
        if (request.url === '/hello.yaml') response.end(HELLO_TEXT);
        else response.writeHead(404).end('not here');
      });
      await new Promise<void>((resolve) => packageServer.listen(0, '127.0.0.1', resolve));
      packageUrl = `http://127.0.0.1:${(packageServer.address() as AddressInfo).port}`;
    });
    after(async () => {
      await api.close();
      await new Promise((resolve) => packageServer.close(resolve));
    });

    test('a pipeline, its versions from an inline spec and from a URL, listed and fetched', async () => {
      const name = `hello-${randomUUID().slice(0, 8)}`;
      const created = await api.call('POST', PIPELINES, {
        name,
        description: 'says hello',
        tags: { team: 'ml' },
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const pipelineId = created.body.pipeline_id;
      assert.deepEqual(
        { ...created.body, pipeline_id: undefined, created_at: undefined },
        {
          name,
          display_name: name,
          description: 'says hello',
          tags: { team: 'ml' },
          pipeline_id: undefined,
          created_at: undefined,
        },
      );

      const inline = await api.call('POST', `${PIPELINES}/${pipelineId}/versions`, {
        name: 'v1',
        pipeline_spec: HELLO,
      });
      assert.equal(inline.status, 200, JSON.stringify(inline.body));
      assert.equal(inline.body.pipeline_id, pipelineId);
      assert.deepEqual(inline.body.pipeline_spec, HELLO);

      const fetched = await api.call('POST', `${PIPELINES}/${pipelineId}/versions`, {
        name: 'v2',
        package_url: { pipeline_url: `${packageUrl}/hello.yaml` },
      });
      assert.equal(fetched.status, 200, JSON.stringify(fetched.body));
      assert.deepEqual(fetched.body.package_url, { pipeline_url: `${packageUrl}/hello.yaml` });
      assert.deepEqual(fetched.body.pipeline_spec, HELLO);

      const versions = await api.call('GET', `${PIPELINES}/${pipelineId}/versions?sort_by=name%20desc`);
      assert.deepEqual(
        versions.body.pipeline_versions.map((version: { name: string }) => version.name),
        ['v2', 'v1'],
      );
      assert.equal(versions.body.total_size, 2);
      const one = await api.call(
        'GET',
        `${PIPELINES}/${pipelineId}/versions/${inline.body.pipeline_version_id}`,
      );
      assert.deepEqual(one.body, inline.body);
      assert.deepEqual((await api.call('GET', `${PIPELINES}/names/${name}`)).body, created.body);
      assert.deepEqual((await api.call('GET', `${PIPELINES}/${pipelineId}`)).body, created.body);

      const refused = await api.call('DELETE', `${PIPELINES}/${pipelineId}`);
      assert.equal(refused.status, 400);
      assert.match(
        refused.body.message,
        /has 2 version\(s\); delete them first, or delete with cascade=true/,
      );
      assert.deepEqual(
        await api.call('DELETE', `${PIPELINES}/${pipelineId}/versions/${inline.body.pipeline_version_id}`),
        {
          status: 200,
          body: {},
        },
      );
      assert.deepEqual(await api.call('DELETE', `${PIPELINES}/${pipelineId}?cascade=true`), {
        status: 200,
        body: {},
      });
      assert.equal((await api.call('GET', `${PIPELINES}/${pipelineId}`)).status, 404);
    });

    test('create a pipeline and its first version at once; the version takes its name', async () => {
      const name = `both-${randomUUID().slice(0, 8)}`;
      const created = await api.call('POST', `${PIPELINES}/create`, {
        pipeline: { name, display_name: 'Both' },
        pipeline_version: { pipeline_spec: HELLO },
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.equal(created.body.display_name, 'Both');
      const versions = await api.call('GET', `${PIPELINES}/${created.body.pipeline_id}/versions`);
      assert.deepEqual(
        versions.body.pipeline_versions.map((version: { name: string }) => version.name),
        [name],
      );
      // A spec that does not validate leaves neither the pipeline nor the version behind.
      const broken = await api.call('POST', `${PIPELINES}/create`, {
        pipeline: { name: `${name}-broken` },
        pipeline_version: { pipeline_spec: { pipelineInfo: { name: 'x' } } },
      });
      assert.equal(broken.status, 400);
      assert.match(broken.body.message, /the pipeline spec does not validate/);
      assert.equal((await api.call('GET', `${PIPELINES}/names/${name}-broken`)).status, 404);
    });

    test('update a pipeline and a version: display_name and tags only', async () => {
      const name = `patch-${randomUUID().slice(0, 8)}`;
      const created = await api.call('POST', `${PIPELINES}/create`, {
        pipeline: { name, description: 'before', tags: { team: 'a' } },
        pipeline_version: { pipeline_spec: HELLO },
      });
      const id = created.body.pipeline_id;
      const patched = await api.call('PATCH', `${PIPELINES}/${id}`, {
        pipeline_id: id,
        name,
        display_name: ' Renamed ',
        tags: { team: 'b', stage: 'prod' },
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.body.display_name, 'Renamed');
      assert.deepEqual(patched.body.tags, { team: 'b', stage: 'prod' });
      assert.equal(patched.body.description, 'before');
      const fetched = await api.call('GET', `${PIPELINES}/${id}`);
      assert.deepEqual(fetched.body, patched.body);
      const cleared = await api.call('PATCH', `${PIPELINES}/${id}`, { tags: {} });
      assert.equal(cleared.body.tags, undefined);
      assert.equal(cleared.body.display_name, 'Renamed', 'absent fields are left alone');

      const versions = await api.call('GET', `${PIPELINES}/${id}/versions`);
      const versionId = versions.body.pipeline_versions[0].pipeline_version_id;
      const version = await api.call('PATCH', `${PIPELINES}/${id}/versions/${versionId}`, {
        display_name: 'first',
        tags: { approved: 'yes' },
      });
      assert.equal(version.status, 200, JSON.stringify(version.body));
      assert.equal(version.body.display_name, 'first');
      assert.deepEqual(version.body.tags, { approved: 'yes' });
      assert.equal(version.body.name, name);

      const missing = randomUUID();
      const cases: [string, string, unknown, number, RegExp][] = [
        [
          `${PIPELINES}/${id}`,
          'name',
          { name: 'other' },
          400,
          /name of a pipeline cannot be changed .*only display_name and tags/,
        ],
        [
          `${PIPELINES}/${id}`,
          'description',
          { description: 'after' },
          400,
          /description of a pipeline cannot be changed/,
        ],
        [
          `${PIPELINES}/${id}`,
          'body id',
          { pipeline_id: missing },
          400,
          /pipeline_id in the body is .* but the path names/,
        ],
        [`${PIPELINES}/${id}`, 'empty display_name', { display_name: ' ' }, 400, /display_name is empty/],
        [`${PIPELINES}/${id}`, 'tag with a dot', { tags: { 'a.b': 'x' } }, 400, /tags/],
        [
          `${PIPELINES}/${missing}`,
          'missing pipeline',
          { display_name: 'x' },
          404,
          new RegExp(`pipeline ${missing} does not exist`),
        ],
        [
          `${PIPELINES}/${id}/versions/${missing}`,
          'missing version',
          { display_name: 'x' },
          404,
          new RegExp(`has no version ${missing}`),
        ],
        [
          `${PIPELINES}/${id}/versions/${versionId}`,
          'spec',
          { pipeline_spec: HELLO },
          400,
          /pipeline_spec of a pipeline version cannot be changed/,
        ],
        [
          `${PIPELINES}/${id}/versions/${versionId}`,
          'version name',
          { name: 'v9' },
          400,
          /name of a pipeline version cannot be changed/,
        ],
      ];
      for (const [url, label, body, status, message] of cases) {
        const answer = await api.call('PATCH', url, body);
        assert.equal(answer.status, status, `${label}: ${JSON.stringify(answer.body)}`);
        assert.match(answer.body.message, message, label);
      }
      assert.equal(
        (await api.call('GET', `${PIPELINES}/${id}`)).body.display_name,
        'Renamed',
        'refusals change nothing',
      );
    });

    test("uploads take KFP's tags (JSON in the query) and code_source_url; bad tags are refused", async () => {
      const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
      const uploaded = await upload(
        api,
        `${PIPELINES}/upload?${q({
          name: `tagged-${randomUUID().slice(0, 8)}`,
          tags: JSON.stringify({ team: 'ml', 'odd key': 'x' }),
          code_source_url: 'https://example.com/repo/train.py',
        })}`,
        'uploadfile',
        'x.yaml',
        HELLO_TEXT,
      );
      assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body));
      assert.deepEqual(uploaded.body.tags, { team: 'ml', 'odd key': 'x' });
      const id = uploaded.body.pipeline_id;
      const [first] = (await api.call('GET', `${PIPELINES}/${id}/versions`)).body.pipeline_versions;
      assert.equal(first.code_source_url, 'https://example.com/repo/train.py');
      assert.equal(first.tags, undefined, "KFP's upload tags the pipeline, not its first version");
      const version = await upload(
        api,
        `${PIPELINES}/upload_version?${q({ pipelineid: id, name: 'v2', tags: '{"stage":"prod"}', code_source_url: 'git://x' })}`,
        'uploadfile',
        'x.yaml',
        HELLO_TEXT,
      );
      assert.equal(version.status, 200, JSON.stringify(version.body));
      assert.deepEqual(version.body.tags, { stage: 'prod' });
      assert.equal(version.body.code_source_url, 'git://x');
      const empty = await upload(
        api,
        `${PIPELINES}/upload_version?${q({ pipelineid: id, name: 'v3', tags: '' })}`,
        'uploadfile',
        'x.yaml',
        HELLO_TEXT,
      );
      assert.equal(empty.status, 200, JSON.stringify(empty.body));
      assert.equal(empty.body.tags, undefined);

      const refused: [string, RegExp][] = [
        [
          '{team: ml}',
          /^querystring\.tags is not JSON \(.*\); expected an object of tags, e.g. \{"team":"ml"\}$/,
        ],
        ['["ml"]', /^querystring\.tags is \["ml"\]; expected an object of tags/],
        ['{"team":5}', /^querystring\.tags\.team is 5; expected a string$/],
        ['{"a.b":"x"}', /^querystring\.tags has the key "a\.b"; a key /],
        [
          JSON.stringify({ team: 'v'.repeat(64) }),
          /^querystring\.tags\.team is "v{64}"; it must NOT have more than 63 characters$/,
        ],
      ];
      for (const [tags, message] of refused) {
        for (const url of [
          `${PIPELINES}/upload?${q({ name: `bad-${randomUUID()}`, tags })}`,
          `${PIPELINES}/upload_version?${q({ pipelineid: id, tags })}`,
        ]) {
          const answer = await upload(api, url, 'uploadfile', 'x.yaml', HELLO_TEXT);
          assert.equal(answer.status, 400, `${url}: ${JSON.stringify(answer.body)}`);
          assert.match(answer.body.message, message, url);
        }
      }
      const versions = await api.call('GET', `${PIPELINES}/${id}/versions`);
      assert.equal(versions.body.total_size, 3, 'a refused upload adds nothing');
    });

    test('upload and upload_version take the file in uploadfile, as KFP does', async () => {
      const fileName = `up-${randomUUID().slice(0, 8)}.yaml`;
      const uploaded = await upload(
        api,
        `${PIPELINES}/upload?description=uploaded`,
        'uploadfile',
        fileName,
        HELLO_TEXT,
      );
      assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body));
      assert.equal(uploaded.body.name, fileName.replace('.yaml', ''));
      assert.equal(uploaded.body.description, 'uploaded');
      const id = uploaded.body.pipeline_id;
      const version = await upload(
        api,
        `${PIPELINES}/upload_version?pipelineid=${id}&name=v2`,
        'uploadfile',
        'x.yaml',
        HELLO_TEXT,
      );
      assert.equal(version.status, 200, JSON.stringify(version.body));
      assert.equal(version.body.name, 'v2');
      assert.deepEqual(version.body.pipeline_spec, HELLO);
      const versions = await api.call('GET', `${PIPELINES}/${id}/versions?sort_by=created_at`);
      assert.equal(versions.body.total_size, 2);

      const wrongField = await upload(api, `${PIPELINES}/upload`, 'file', 'x.yaml', HELLO_TEXT);
      assert.equal(wrongField.status, 400);
      assert.match(wrongField.body.message, /has no file in the field "uploadfile"/);
      const notMultipart = await api.call('POST', `${PIPELINES}/upload`, { spec: 1 });
      assert.equal(notMultipart.status, 400);
      assert.match(notMultipart.body.message, /expected a multipart\/form-data body/);
      const invalid = await upload(
        api,
        `${PIPELINES}/upload?name=broken-${randomUUID()}`,
        'uploadfile',
        'b.yaml',
        'pipelineInfo: {name: x}',
      );
      assert.equal(invalid.status, 400);
      assert.match(invalid.body.message, /the pipeline spec does not validate/);
      const noPipeline = await upload(
        api,
        `${PIPELINES}/upload_version?pipelineid=${randomUUID()}`,
        'uploadfile',
        'x.yaml',
        HELLO_TEXT,
      );
      assert.equal(noPipeline.status, 404);

      const small = await startApi(dialect, 512);
      try {
        const tooLarge = await upload(small, `${PIPELINES}/upload`, 'uploadfile', 'big.yaml', HELLO_TEXT);
        assert.equal(tooLarge.status, 413, JSON.stringify(tooLarge.body));
        assert.match(tooLarge.body.message, /larger than the server's limit of 512 bytes/);
      } finally {
        await small.close();
      }
    });

    test('bad requests name what is wrong', async () => {
      const name = `bad-${randomUUID().slice(0, 8)}`;
      const { body: pipeline } = await api.call('POST', PIPELINES, { name });
      const versions = `${PIPELINES}/${pipeline.pipeline_id}/versions`;
      const cases: [string, string, unknown, number, RegExp][] = [
        [
          'POST',
          PIPELINES,
          { name },
          409,
          /a pipeline named "bad-[0-9a-f]+" already exists .*upload a new version of it instead/,
        ],
        ['POST', PIPELINES, { display_name: 'no name' }, 400, /^name is empty; a pipeline needs a name$/],
        ['POST', PIPELINES, { name: 'x', tags: { ['k'.repeat(64)]: 'v' } }, 400, /^body\.tags/],
        [
          'POST',
          versions,
          { name: 'v' },
          400,
          /has no spec: send it inline in pipeline_spec, or its URL in package_url\.pipeline_url/,
        ],
        [
          'POST',
          versions,
          { name: 'v', pipeline_spec: HELLO, package_url: { pipeline_url: 'http://x' } },
          400,
          /sets both pipeline_spec and package_url/,
        ],
        [
          'POST',
          versions,
          { name: 'v', package_url: { pipeline_url: 'file:///etc/passwd' } },
          400,
          /file: URLs are not fetched/,
        ],
        [
          'POST',
          versions,
          { name: 'v', package_url: { pipeline_url: `${packageUrl}/missing.yaml` } },
          400,
          /answered 404/,
        ],
        [
          'POST',
          versions,
          { pipeline_spec: HELLO, pipeline_id: randomUUID() },
          400,
          /but the URL names pipeline/,
        ],
        [
          'POST',
          `${PIPELINES}/${randomUUID()}/versions`,
          { name: 'v', pipeline_spec: HELLO },
          404,
          /^pipeline [0-9a-f-]+ does not exist$/,
        ],
        ['GET', `${versions}/${randomUUID()}`, undefined, 404, /has no version/],
        ['GET', `${PIPELINES}/names/nobody`, undefined, 404, /^no pipeline is named "nobody"$/],
        ['DELETE', `${PIPELINES}/${randomUUID()}`, undefined, 404, /does not exist/],
      ];
      await api.call('POST', versions, { pipeline_spec: HELLO });
      cases.push([
        'POST',
        versions,
        { pipeline_spec: HELLO },
        400,
        /^name is empty; a pipeline version needs a name$/,
      ]);
      cases.push(['POST', versions, { name, pipeline_spec: HELLO }, 409, /already has a version named/]);
      for (const [method, url, body, status, message] of cases) {
        const answer = await api.call(method as 'GET', url, body);
        assert.equal(
          answer.status,
          status,
          `${method} ${url} ${JSON.stringify(body)?.slice(0, 80)}: ${JSON.stringify(answer.body)}`,
        );
        assert.match(answer.body.message, message);
      }
    });
  });
}
