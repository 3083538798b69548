// A small configuration language: [sections], key = value lines with strings, numbers, booleans and lists,
// case-insensitive keywords (options { caseInsensitive = true; }), '#' comments skipped, newlines significant.
grammar Config;

options { caseInsensitive = true; }

config  : NEWLINE* (section | entry)* EOF ;
section : '[' KEY ']' NEWLINE+ ;
entry   : KEY '=' value NEWLINE+ ;
value   : STRING | NUMBER | TRUE | FALSE | NONE | list ;
list    : '[' (value (',' value)*)? ']' ;

TRUE    : 'true' | 'yes' | 'on' ;
FALSE   : 'false' | 'no' | 'off' ;
NONE    : 'none' ;
KEY     : [a-z_] [a-z0-9_.\-]* ;
NUMBER  : '-'? [0-9]+ ('.' [0-9]+)? ;
STRING  : '"' (~["\\\r\n] | '\\' ["\\nt])* '"' ;
NEWLINE : '\r'? '\n' ;
COMMENT : '#' ~[\r\n]* -> skip ;
WS      : [ \t]+ -> skip ;
