// Batched requests from real clients (argv[2]: the /graphql URL): graphql-request's batchRequests,
// then Apollo Client's BatchHttpLink with two queries issued together. Prints both results.
import { ApolloClient, InMemoryCache, gql as apolloGql } from '@apollo/client';
import { BatchHttpLink } from '@apollo/client/link/batch-http';
import { batchRequests, gql } from 'graphql-request';

const url = process.argv[2];
const requested = await batchRequests(url, [
  { document: gql`{ backends { name } }` },
  { document: gql`query($n: Int) { users(first: $n) { totalCount } }`, variables: { n: 1 } },
]);
const client = new ApolloClient({
  link: new BatchHttpLink({ uri: url, batchMax: 5, batchInterval: 20 }),
  cache: new InMemoryCache(),
});
const apollo = await Promise.all([
  client.query({ query: apolloGql`query A { backends { name } }` }),
  client.query({ query: apolloGql`query B { users(first: 2) { totalCount } }` }),
]);
console.log(JSON.stringify({ graphqlRequest: requested, apollo: apollo.map((r) => r.data) }));
