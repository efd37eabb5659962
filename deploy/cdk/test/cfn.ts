// test/cfn.ts: evaluates the few intrinsic functions an image URI is built from
// (Ref of a pseudo parameter, Fn::Sub with a string, Fn::Join) for a made-up
// account and region, so two differently written URIs can be compared as strings.
// Anything else is an Error: the test then shows what it could not evaluate.
import { Json } from './repo';

export const PSEUDO: Record<string, string> = {
  'AWS::AccountId': '111122223333',
  'AWS::Region': 'eu-west-1',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::Partition': 'aws',
};

export function evaluate(value: Json): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    if ('Ref' in value && value.Ref in PSEUDO) return PSEUDO[value.Ref];
    if ('Fn::Sub' in value && typeof value['Fn::Sub'] === 'string') {
      return value['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (_: string, name: string) => {
        if (!(name in PSEUDO)) throw new Error(`Fn::Sub: cannot evaluate \${${name}}`);
        return PSEUDO[name];
      });
    }
    if ('Fn::Join' in value) {
      const [sep, parts] = value['Fn::Join'];
      return (parts as Json[]).map(evaluate).join(sep);
    }
  }
  throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
}
