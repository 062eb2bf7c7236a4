// dcmjs ships no type declarations; the node uses only its data module through narrow call sites.
declare module 'dcmjs';
