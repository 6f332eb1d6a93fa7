// KFP's ArtifactService and Cairn's download of an artifact's content, over artifacts a real run left:
// listing by run with KFP's paging, getting one, and downloading whole, by byte range, and file by file
// from a directory. On every dialect.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { dialectTargets } from '../support/test-databases.ts';
import { artifactPipelineSpec, DATA } from './support/artifact-pipeline.ts';
import { type EngineApi, startEngineApi } from './support/engine-api.ts';

const ARTIFACTS = '/apis/v2beta1/artifacts';

interface WireArtifact {
  artifact_id: string;
  name: string;
  artifact_type: string;
  uri: string;
  [field: string]: unknown;
}

for (const { dialect, skip } of await dialectTargets()) {
  describe(`artifacts API on ${dialect}`, { skip }, () => {
    let api: EngineApi;
    let runId: string;
    /** The run's artifacts by name. */
    const byName = new Map<string, WireArtifact>();

    const get = async (url: string, headers: Record<string, string> = {}) =>
      api.app.inject({ method: 'GET', url, headers });
    const json = async (url: string) => {
      const answer = await get(url);
      return { status: answer.statusCode, body: JSON.parse(answer.body) };
    };
    const download = (name: string, headers: Record<string, string> = {}, query = '') =>
      get(`${ARTIFACTS}/${byName.get(name)?.artifact_id}:download${query}`, headers);

    before(async () => {
      api = await startEngineApi(dialect);
      runId = await api.run(artifactPipelineSpec(`artifacts-${dialect}`));
      assert.equal(await api.waitForRun(runId), 'SUCCEEDED');
      const { body } = await json(`${ARTIFACTS}?run_id=${runId}`);
      for (const artifact of body.artifacts as WireArtifact[]) byName.set(artifact.name, artifact);
    });
    after(() => api.close());

    test("a run's artifacts, in KFP's shape with Cairn's name, metadata and digest", async () => {
      assert.deepEqual([...byName.keys()].sort(), ['data', 'files', 'metrics', 'model', 'page']);
      const data = byName.get('data');
      const key = `artifacts-${dialect}/${runId}/make-data/data`;
      assert.deepEqual(
        { ...data, artifact_id: undefined, created_at: undefined, last_updated_at: undefined },
        {
          artifact_id: undefined,
          storage_provider: 'file',
          storage_path: new URL(`${api.store.url}/${key}`).pathname,
          uri: `${api.store.url}/${key}`,
          artifact_type: 'system.Dataset',
          artifact_size: String(DATA.length),
          created_at: undefined,
          last_updated_at: undefined,
          name: 'data',
          metadata: {},
          content_sha256: data?.content_sha256,
          state: 'LIVE',
        },
      );
      assert.match(String(data?.content_sha256), /^[0-9a-f]{64}$/);
      assert.equal(byName.get('metrics')?.artifact_size, undefined, 'nothing stored, no size');
      assert.equal(byName.get('page')?.artifact_type, 'system.HTML');

      const fetched = await json(`${ARTIFACTS}/${data?.artifact_id}`);
      assert.deepEqual(fetched, { status: 200, body: data });
      assert.deepEqual(await json(`${ARTIFACTS}/${data?.artifact_id.toUpperCase()}`), fetched);
      const withUrl = await json(`${ARTIFACTS}/${data?.artifact_id}?view=DOWNLOAD`);
      assert.equal(withUrl.body.download_url, `${ARTIFACTS}/${data?.artifact_id}:download`);
    });

    test("pages follow KFP's max_result_size, order_by_field, order_by and next_page_token", async () => {
      const all = (await json(`${ARTIFACTS}?run_id=${runId}`)).body;
      assert.equal(all.next_page_token, '');
      const times = all.artifacts.map((artifact: WireArtifact) => artifact.created_at);
      assert.deepEqual(times, [...times].sort(), 'by creation time when no field is given');

      for (const order of [
        '',
        '&order_by_field=ID&order_by=desc',
        '&order_by_field=LAST_UPDATE_TIME&order_by=DESC',
      ]) {
        const whole = (await json(`${ARTIFACTS}?run_id=${runId}${order}`)).body.artifacts;
        const paged: WireArtifact[] = [];
        let token = '';
        for (let page = 0; page < 10; page++) {
          const next = token === '' ? '' : `&next_page_token=${token}`;
          const { status, body } = await json(
            `${ARTIFACTS}?run_id=${runId}&max_result_size=2${order}${next}`,
          );
          assert.equal(status, 200, JSON.stringify(body));
          assert.ok(body.artifacts.length <= 2);
          paged.push(...body.artifacts);
          token = body.next_page_token;
          if (token === '') break;
        }
        assert.deepEqual(paged, whole, `pages of ${order || 'the default order'}`);
      }
      const ids = (await json(`${ARTIFACTS}?run_id=${runId}&order_by_field=ID`)).body.artifacts.map(
        (artifact: WireArtifact) => artifact.artifact_id,
      );
      assert.deepEqual(ids, [...ids].sort());

      const first = (await json(`${ARTIFACTS}?run_id=${runId}&max_result_size=2`)).body;
      const onlyToken = await json(`${ARTIFACTS}?run_id=${runId}&next_page_token=${first.next_page_token}`);
      assert.equal(onlyToken.status, 200, 'a token alone continues its list');
      const otherOrder = await json(
        `${ARTIFACTS}?run_id=${runId}&order_by=desc&next_page_token=${first.next_page_token}`,
      );
      assert.equal(otherOrder.status, 400);
      assert.match(
        otherOrder.body.message,
        /^next_page_token: issued for the order "CREATE_TIME asc" \(order_by_field and order_by\), but this request asks for "CREATE_TIME desc"/,
      );
      const otherRun = await json(`${ARTIFACTS}?next_page_token=${first.next_page_token}`);
      assert.equal(otherRun.status, 400);
      assert.match(otherRun.body.message, /issued for another list/);
      const badOrder = await json(`${ARTIFACTS}?order_by=sideways`);
      assert.deepEqual(badOrder, {
        status: 400,
        body: { code: 3, message: 'order_by "sideways": expected "asc" or "desc"', details: [] },
      });
    });

    test("the namespace is the producing run's, and lists are filtered by it", async () => {
      const namespaced = await api.run(artifactPipelineSpec(`namespaced-${dialect}`));
      assert.equal(await api.waitForRun(namespaced), 'SUCCEEDED');
      await api.db.updateTable('runs').set({ namespace: 'team-a' }).where('id', '=', namespaced).execute();
      const inTeam = (await json(`${ARTIFACTS}?namespace=team-a`)).body.artifacts as WireArtifact[];
      assert.equal(inTeam.length, 5);
      assert.ok(inTeam.every((artifact) => artifact.namespace === 'team-a'));
      assert.ok(inTeam.every((artifact) => artifact.uri.includes(namespaced)));
      const inDefault = (await json(`${ARTIFACTS}?max_result_size=100`)).body.artifacts as WireArtifact[];
      assert.ok(inDefault.every((artifact) => artifact.namespace === undefined));
      assert.ok(inDefault.some((artifact) => artifact.uri.includes(runId)));
      assert.equal((await json(`${ARTIFACTS}?namespace=team-a&run_id=${runId}`)).body.artifacts.length, 0);
    });

    test('a download sends the whole content with its length, type and file name', async () => {
      const answer = await download('data');
      assert.equal(answer.statusCode, 200);
      assert.equal(answer.body, DATA);
      assert.equal(answer.headers['content-length'], String(DATA.length));
      assert.equal(answer.headers['accept-ranges'], 'bytes');
      assert.equal(answer.headers['content-type'], 'application/octet-stream');
      assert.equal(
        answer.headers['content-disposition'],
        `attachment; filename="data"; filename*=UTF-8''data`,
      );
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
      const page = await download('page');
      assert.equal(page.headers['content-type'], 'text/html');
      assert.equal(page.body, `<p>${DATA}${DATA}</p>`);
      const head = await api.app.inject({
        method: 'HEAD',
        url: `${ARTIFACTS}/${byName.get('data')?.artifact_id}:download`,
      });
      assert.deepEqual([head.statusCode, head.headers['content-length'], head.body], [200, '16', '']);
      const headRange = await api.app.inject({
        method: 'HEAD',
        url: `${ARTIFACTS}/${byName.get('data')?.artifact_id}:download`,
        headers: { range: 'bytes=4-' },
      });
      assert.deepEqual(
        [headRange.statusCode, headRange.headers['content-length'], headRange.headers['content-range']],
        [206, '12', 'bytes 4-15/16'],
      );
    });

    test('Range: one byte range is sent as 206 with Content-Range; none that fits is 416', async () => {
      const partial: [string, string, string][] = [
        ['bytes=2-5', '2345', 'bytes 2-5/16'],
        ['bytes=10-', 'abcdef', 'bytes 10-15/16'],
        ['bytes=-4', 'cdef', 'bytes 12-15/16'],
        ['bytes=-100', DATA, 'bytes 0-15/16'],
        ['bytes=5-100', '56789abcdef', 'bytes 5-15/16'],
        ['bytes=15-15', 'f', 'bytes 15-15/16'],
      ];
      for (const [range, body, contentRange] of partial) {
        const answer = await download('data', { range });
        assert.deepEqual(
          [answer.statusCode, answer.body, answer.headers['content-range'], answer.headers['content-length']],
          [206, body, contentRange, String(body.length)],
          range,
        );
      }
      for (const range of ['bytes=16-', 'bytes=100-200', 'bytes=-0']) {
        const answer = await download('data', { range });
        assert.equal(answer.statusCode, 416, range);
        assert.equal(answer.headers['content-range'], 'bytes */16');
        assert.deepEqual(JSON.parse(answer.body), {
          code: 11,
          message: `Range "${range}" asks for no byte of artifact ${byName.get('data')?.artifact_id}, which is 16 bytes long`,
          details: [],
        });
      }
      // Ranges a server may ignore: several at once, a reversed one, another unit, nonsense.
      for (const range of ['bytes=0-1,4-5', 'bytes=5-2', 'items=0-1', 'bytes=x-y']) {
        const answer = await download('data', { range });
        assert.deepEqual([answer.statusCode, answer.body], [200, DATA], range);
      }
    });

    test("a directory's files are downloaded one by one, with path", async () => {
      const id = byName.get('files')?.artifact_id;
      const whole = await download('files');
      assert.equal(whole.statusCode, 400);
      assert.equal(
        JSON.parse(whole.body).message,
        `artifact ${id} is a directory (a.txt, nested/b.json); download one of its files with path, e.g. path=a.txt`,
      );
      const text = await download('files', {}, '?path=a.txt');
      assert.deepEqual([text.statusCode, text.body, text.headers['content-type']], [200, 'a', 'text/plain']);
      const nested = await download('files', { range: 'bytes=1-' }, '?path=nested%2Fb.json');
      assert.deepEqual(
        [
          nested.statusCode,
          nested.body,
          nested.headers['content-type'],
          nested.headers['content-disposition'],
        ],
        [206, '}', 'application/json', `attachment; filename="b.json"; filename*=UTF-8''b.json`],
      );
      const missing = await download('files', {}, '?path=c.txt');
      assert.equal(missing.statusCode, 404);
      assert.match(JSON.parse(missing.body).message, new RegExp(`^artifact ${id} has no file "c.txt"`));
      const outside = await download('files', {}, '?path=..%2F..%2Fmake-data%2Fdata');
      assert.equal(outside.statusCode, 400);
      assert.match(
        JSON.parse(outside.body).message,
        /^path "..\/..\/make-data\/data" cannot name a file of artifact/,
      );
      const notDirectory = await download('data', {}, '?path=a.txt');
      assert.equal(notDirectory.statusCode, 400);
      assert.match(
        JSON.parse(notDirectory.body).message,
        /is one file, not a directory; download it without path/,
      );
    });

    test('an artifact with nothing stored, or whose object is gone, is a 404 that says so', async () => {
      const metrics = byName.get('metrics');
      const none = await download('metrics');
      assert.equal(none.statusCode, 404);
      assert.equal(
        JSON.parse(none.body).message,
        `artifact ${metrics?.artifact_id} has no content to download: there is no object at ` +
          `artifacts-${dialect}/${runId}/train/metrics in the artifact store ${api.store.url}; nothing was ` +
          'stored for it (a system.Metrics artifact that is only metadata)',
      );
      await api.store.delete(`artifacts-${dialect}/${runId}/train/model`);
      const gone = await download('model');
      assert.equal(gone.statusCode, 404);
      assert.match(JSON.parse(gone.body).message, /; its content has been removed from the store$/);
    });

    test('unknown artifacts and runs are 404s that name the id', async () => {
      const missing = randomUUID();
      for (const url of [`${ARTIFACTS}/${missing}`, `${ARTIFACTS}/${missing}:download`]) {
        assert.deepEqual(await json(url), {
          status: 404,
          body: { code: 5, message: `artifact ${missing} does not exist`, details: [] },
        });
      }
      assert.deepEqual(await json(`${ARTIFACTS}/not-an-id:download`), {
        status: 400,
        body: { code: 3, message: 'params.artifact_id is "not-an-id"; expected a UUID', details: [] },
      });
      assert.deepEqual(await json(`${ARTIFACTS}?run_id=${missing}`), {
        status: 404,
        body: { code: 5, message: `run ${missing} does not exist`, details: [] },
      });
      const view = await json(`${ARTIFACTS}/${byName.get('data')?.artifact_id}?view=FULL`);
      assert.equal(view.status, 400);
      assert.match(view.body.message, /^querystring\.view is "FULL"; expected /);
    });

    test('the OpenAPI document lists the operations, the download as binary', async () => {
      const { paths } = (await json('/apis/v2beta1/openapi.json')).body;
      assert.equal(paths[ARTIFACTS].get.operationId, 'ArtifactService_ListArtifacts');
      assert.equal(paths[`${ARTIFACTS}/{artifact_id}`].get.operationId, 'ArtifactService_GetArtifact');
      const downloadOperation = paths[`${ARTIFACTS}/{artifact_id}:download`].get;
      assert.equal(downloadOperation.operationId, 'ArtifactService_DownloadArtifact');
      assert.deepEqual(downloadOperation.responses['206'].content['application/octet-stream'].schema, {
        type: 'string',
        format: 'binary',
      });
    });
  });
}
