// Ingress access lines beyond upstreaminfo get exact columns: nginx combined, Traefik CLF, Envoy, HAProxy, ingress-nginx JSON.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseEvent } from '../../../../shared/core/parse-event.ts';
import type { EventFields } from '../../../../shared/core/event-row.ts';
import { clfTimeToMicros, isoTimeToMicros } from '../../../../shared/core/formats/access-lines.ts';

const FIXTURES = new URL('../../../fixtures/formats/', import.meta.url);
const bytes = (s: string) => new TextEncoder().encode(s);

function lines(name: string): Uint8Array[] {
  const b = new Uint8Array(readFileSync(new URL(name, FIXTURES)));
  const out: Uint8Array[] = [];
  let s = 0;
  for (let i = 0; i <= b.length; i++) {
    if (i === b.length || b[i] === 0x0a) {
      if (i > s) out.push(b.subarray(s, i));
      s = i + 1;
    }
  }
  return out;
}

/** Every access column, in a fixed order. */
const access = (f: EventFields) => [f.kind, f.json, f.clientAddress, f.sourceIp, f.username, f.method, f.path, f.protocol, f.host, f.status, f.requestBytes, f.responseBytes, f.durationUs, f.upstream, f.service, f.router, f.userAgent, f.time, f.timeUs];

describe('real files', () => {
  test('nginx combined, hostile requests: 12 rows, 400/157 from 1.2.3.4, no method invented for binary garbage', () => {
    const rows = lines('crowdsec-hub_nginx_malformed-requests.log').map((b) => parseEvent(b, 'ingress-nginx'));
    assert.equal(rows.length, 12);
    for (const [i, r] of rows.entries()) {
      const t = i < 6 ? '29/Jul/2023:10:26:06 -0700' : '29/Jul/2023:10:26:07 -0700';
      assert.deepEqual(access(r), ['ingress-nginx', false, '1.2.3.4', '1.2.3.4', null, null, null, null, null, 400, null, 157, null, null, null, null, null, t, i < 6 ? 1690651566000000 : 1690651567000000], `line ${i + 1}`);
    }
  });

  test('Traefik CLF: 7 rows (2 empty lines are not entries), router chains, status and size "-"', () => {
    const rows = lines('crowdsec-hub_traefik_clf.log').map((b) => access(parseEvent(b, 'other')));
    const up = 'http://172.17.0.3:80';
    assert.deepEqual(rows, [
      ['traefik-access', false, '172.17.0.1', '172.17.0.1', null, 'GET', '/scripts/cpshost.dll', 'HTTP/1.1', null, 200, null, 414, 0, up, null, 'test@docker', null, '08/Dec/2021:09:16:05 +0000', 1638954965000000],
      ['traefik-access', false, '172.17.0.1', '172.17.0.1', null, 'GET', '/upload.asp?test=toto&tata=test', 'HTTP/1.1', null, 200, null, 405, 0, up, null, 'test@docker', null, '08/Dec/2021:09:16:05 +0000', 1638954965000000],
      ['traefik-access', false, '172.17.0.1', '172.17.0.1', null, 'GET', '/cgi.cgi/', 'HTTP/1.1', null, 200, null, 352, 0, up, null, 'test@docker', 'Nikto', '08/Dec/2021:13:59:39 +0000', 1638971979000000],
      ['traefik-access', false, '172.17.0.1', '172.17.0.1', null, 'GET', '/index?toto=tata', 'HTTP/1.1', null, 200, null, 352, 1000, up, null, 'test@docker', 'Nikto', '08/Dec/2021:13:59:39 +0000', 1638971979000000],
      ['traefik-access', false, '172.17.1.1', '172.17.1.1', null, 'GET', '/mobileadmin/home.cs', 'HTTP/1.1', null, null, null, null, 0, null, null, null, 'Mozilla/5.00 (Nikto/2.1.5) (Evasions:None) (Test:006607)', '28/Sep/2022:13:38:04 +0000', 1664372284000000],
      ['traefik-access', false, '172.17.1.2', '172.17.1.2', null, 'GET', '/birthday', 'HTTP/2', null, 200, null, 352, 42000, up, null, 'test@docker -> leaf@docker', 'Nikto', '24/Nov/2024:13:38:04 +0000', 1732455484000000],
      ['traefik-access', false, '172.17.1.3', '172.17.1.3', null, 'GET', '/api/users', 'HTTP/1.1', null, 200, null, 450, 25000, 'http://172.17.0.4:80', null, 'root@docker -> intermediate1@docker -> intermediate2@docker -> leaf@docker', 'curl/7.68.0', '24/Nov/2024:13:40:15 +0000', 1732455615000000],
    ]);
  });
});

describe('documented formats', () => {
  test('Envoy default format (https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage#default-format-string)', () => {
    const line = '[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100 "10.0.35.28" "nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "tcp://10.0.2.1:80"';
    // X-Forwarded-For (10.0.35.28) is set by the client, so it is not taken as the source address.
    assert.deepEqual(access(parseEvent(bytes(line), 'other')), ['other', false, null, null, null, 'POST', '/api/v1/locations', 'HTTP/2', 'locations', 204, 154, 0, 226000, 'tcp://10.0.2.1:80', null, null, 'nsq2http', '2016-04-15T20:17:00.310Z', 1460751420310000]);
  });

  test("Istio's default (Envoy's plus details, cluster and addresses): the peer address is read", () => {
    const line = '[2020-11-25T21:26:18.409Z] "GET /status/418 HTTP/1.1" 418 - via_upstream - "-" 0 135 4 4 "-" "curl/7.73.0-DEV" "84961386-6d84-929d-98bd-c5aee93b5c88" "httpbin:8000" "10.44.1.27:80" outbound|8000||httpbin.foo.svc.cluster.local 10.44.1.23:37652 10.0.45.184:8000 10.44.1.23:46520 - default';
    const f = parseEvent(bytes(line), 'other');
    assert.deepEqual([f.method, f.path, f.status, f.requestBytes, f.responseBytes, f.durationUs, f.upstream, f.service, f.clientAddress, f.sourceIp, f.host], ['GET', '/status/418', 418, 0, 135, 4000, '10.44.1.27:80', 'outbound|8000||httpbin.foo.svc.cluster.local', '10.44.1.23:46520', '10.44.1.23', 'httpbin:8000']);
  });

  test('HAProxy httplog (configuration.txt §8.2.3 examples): no instant from a zoneless date', () => {
    const a = 'Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1"';
    assert.deepEqual(access(parseEvent(bytes(a), 'other')), ['other', false, '10.0.1.2:33317', '10.0.1.2', null, 'GET', '/index.html', 'HTTP/1.1', null, 200, null, 2750, 109000, 'srv1', 'static', 'http-in', null, '06/Feb/2009:12:14:14.655', null]);
    const b = 'haproxy[18113]: 127.0.0.1:34549 [15/Oct/2003:15:19:06.103] px-http px-http/<NOSRV> -1/-1/-1/-1/+50001 408 +2750 - - cR-- 2/2/2/0/+2 0/0 ""';
    assert.deepEqual(access(parseEvent(bytes(b), 'other')), ['other', false, '127.0.0.1:34549', '127.0.0.1', null, null, null, null, null, 408, null, 2750, 50001000, null, 'px-http', 'px-http', null, '15/Oct/2003:15:19:06.103', null]);
  });

  test('ingress-nginx JSON log-format-upstream (the example of its ConfigMap documentation)', () => {
    const rec = '{"time": "2024-03-01T10:00:00+01:00", "remote_addr": "203.0.113.7", "x_forwarded_for": "203.0.113.7", "request_id": "9b1c", "remote_user": "", "bytes_sent": 612, "request_time": 0.004, "status": 200, "vhost": "shop.example", "request_proto": "HTTP/2.0", "path": "/cart", "request_query": "", "request_length": 73, "duration": 0.004,"method": "GET", "http_referrer": "", "http_user_agent": "curl/8.5.0" }';
    assert.deepEqual(access(parseEvent(bytes(rec), 'other')), ['ingress-nginx', true, '203.0.113.7', '203.0.113.7', null, 'GET', '/cart', 'HTTP/2.0', 'shop.example', 200, 73, 612, 4000, null, null, null, 'curl/8.5.0', '2024-03-01T10:00:00+01:00', 1709283600000000]);
    // Without a status, or without an address and a method, it is some other JSON.
    assert.equal(parseEvent(bytes('{"status":200,"path":"/"}'), 'other').kind, 'other');
    assert.equal(parseEvent(bytes('{"remote_addr":"1.2.3.4","path":"/"}'), 'other').kind, 'other');
  });
});

describe('what is not one of them stays other', () => {
  test('near misses', () => {
    for (const s of [
      '1.2.3.4 - - [29/Jul/2023:10:26:06 -0700] "GET / HTTP/1.1" 400 157 "-" "-" trailing',
      '1.2.3.4 - - [31/Feb/2023:10:26:06 -0700] "GET / HTTP/1.1" 400 157 "-" "-"',
      '1.2.3.4 - - [29/Jul/2023:10:26:06 -0700] "GET / HTTP/1.1" 400 157 "-"',
      '[2016-04-15T20:17:00.310Z] "POST /a HTTP/2" 204 - 154 0 226 100 "a" "b" "c" "d"',
      '[2016-13-15T20:17:00.310Z] "POST /a HTTP/2" 204 - 154 0 226 100 "a" "b" "c" "d" "e"',
      '10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69 200 2750 - - ---- 1/1/1/1/0 0/0 "GET / HTTP/1.1"',
      'type=SYSCALL msg=audit(1700000000.000:1): arch=c000003e syscall=59',
    ]) {
      assert.equal(parseEvent(bytes(s), 'other').kind, 'other', s);
    }
  });

  test('times: CLF and RFC 3339 to exact microseconds, invalid dates refused', () => {
    assert.equal(clfTimeToMicros('10/Oct/2000:13:55:36 -0700'), 971211336000000);
    assert.equal(clfTimeToMicros('29/Feb/2023:00:00:00 +0000'), null);
    assert.equal(clfTimeToMicros('29/Feb/2024:00:00:00 +0000'), 1709164800000000);
    assert.equal(isoTimeToMicros('2024-12-19T19:19:54.839162050Z'), 1734635994839162);
    assert.equal(isoTimeToMicros('2024-12-19T19:19:54+05:30'), 1734616194000000);
    assert.equal(isoTimeToMicros('2024-12-19 19:19:54Z'), null);
  });
});
