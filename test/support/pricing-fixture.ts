import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GetProductsCommand,
  type GetProductsCommandOutput,
  type PricingClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-pricing';
import type { AwsStub } from 'aws-sdk-client-mock';

/**
 * Recorded GetProducts answers (test/fixtures/pricing, see its _provenance): real published
 * values in the real element shape. On the wire each PriceList element is a JSON string, so the
 * pages are served with every element stringified, exactly as the SDK hands them over.
 */

interface FixturePage {
  FormatVersion: string;
  PriceList: unknown[];
  NextToken?: string;
}

export const PRICE_FIXTURE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'pricing',
  'get-products-us-east-1.json',
);

export function fixturePages(): Record<string, FixturePage[]> {
  return (JSON.parse(readFileSync(PRICE_FIXTURE, 'utf8')) as { offers: Record<string, FixturePage[]> }).offers;
}

export function wirePage(p: FixturePage): GetProductsCommandOutput {
  return {
    FormatVersion: p.FormatVersion,
    PriceList: p.PriceList.map((x) => JSON.stringify(x)),
    ...(p.NextToken ? { NextToken: p.NextToken } : {}),
    $metadata: {},
  };
}

/**
 * Answers GetProducts from the fixture by ServiceCode and NextToken, as the API pages them. Returns
 * each request as sent (the SDK's paginator reuses one input object, so calls are copied here).
 */
export function serveFixture(
  mock: AwsStub<ServiceInputTypes, ServiceOutputTypes, PricingClientResolvedConfig>,
): Record<string, unknown>[] {
  const offers = fixturePages();
  const requests: Record<string, unknown>[] = [];
  mock
    .on(GetProductsCommand)
    .callsFake((input: { ServiceCode: string; NextToken?: string }): Promise<GetProductsCommandOutput> => {
      requests.push(structuredClone(input));
      const pages = offers[input.ServiceCode] ?? [{ FormatVersion: 'aws_v1', PriceList: [] }];
      const index = input.NextToken ? pages.findIndex((_p, i) => pages[i - 1]?.NextToken === input.NextToken) : 0;
      if (index < 0)
        throw Object.assign(new Error('The pagination token is invalid.'), {
          name: 'InvalidNextTokenException',
          $metadata: { httpStatusCode: 400 },
        });
      return Promise.resolve(wirePage(pages[index]!));
    });
  return requests;
}
