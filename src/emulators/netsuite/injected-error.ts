import type { ServerResponse } from 'node:http';
import { NetSuiteError, sendJson, sendNetSuiteError } from './netsuite-error.js';

// What a failing NetSuite looks like from outside: a 500 in NetSuite's own shape from the application,
// or a 502 / 503 HTML page from the proxies and load balancers in front of it. A client must treat all
// of them as retryable and must not expect JSON from a 5xx.

function sendHtml(response: ServerResponse, status: number, title: string, text: string): void {
  const html = `<!DOCTYPE html><html><head><title>${status} ${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;
  response.writeHead(status, { 'content-type': 'text/html; charset=UTF-8', 'content-length': Buffer.byteLength(html) });
  response.end(html);
}

export function sendUnavailable(response: ServerResponse): void {
  sendHtml(response, 503, 'Service Unavailable', 'NetSuite is currently unavailable. Please try again later.');
}

/** One of 500 (JSON), 502 (HTML), 503 (HTML or JSON), picked by `random`. */
export function sendInjectedError(response: ServerResponse, random: () => number): void {
  const pick = Math.floor(random() * 4);
  if (pick === 0) {
    sendNetSuiteError(
      response,
      new NetSuiteError(500, 'UNEXPECTED_ERROR', 'An unexpected error occurred. Error ID: emulator-injected'),
    );
  } else if (pick === 1) {
    sendHtml(response, 502, 'Bad Gateway', 'The proxy server received an invalid response from an upstream server.');
  } else if (pick === 2) {
    sendUnavailable(response);
  } else {
    sendJson(
      response,
      503,
      new NetSuiteError(503, 'SERVICE_UNAVAILABLE', 'The service is temporarily unavailable.').body(),
    );
  }
}
