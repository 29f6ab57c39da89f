// The PPP codec layer in one import: frames, control packets, option lists and trace lines.
// No I/O; decoders return Decoded<T> and never throw on bad bytes.
export * from './frame.js';
export * from './options.js';
export * from './packet.js';
export * from './trace.js';
