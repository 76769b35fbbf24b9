// Package partnero is the client of the Partnero API as this tool uses it:
// create and invite partners, each call paced by one shared limiter, retried
// on throttling and server errors, and every answer classified into the
// report's status and reason by one pure function, Classify.
package partnero
