// Both RouterOS exports and shell scripts continue a line that ends in an odd number of backslashes.
// Counted by hand: a /\\+$/ regex is quadratic on a long run of backslashes that does not end the line.

export function endsWithContinuation(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line.charCodeAt(i) === 0x5c; i--) n++;
  return n % 2 === 1;
}
