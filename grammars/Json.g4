// JSON (RFC 8259) as an ANTLR grammar, written for this project: strings with escapes through fragments and a
// negated set, numbers without leading zeros, whitespace skipped.
grammar Json;

json  : value EOF ;

value : object | array | STRING | NUMBER | 'true' | 'false' | 'null' ;

object : '{' (pair (',' pair)*)? '}' ;
pair   : STRING ':' value ;
array  : '[' (value (',' value)*)? ']' ;

STRING : '"' (ESCAPE | SAFE)* '"' ;
fragment ESCAPE : '\\' (["\\/bfnrt] | UNICODE) ;
fragment UNICODE : 'u' HEX HEX HEX HEX ;
fragment HEX : [0-9a-fA-F] ;
fragment SAFE : ~ ["\\\u0000-\u001F] ;

NUMBER : '-'? INT ('.' [0-9]+)? EXP? ;
fragment INT : '0' | [1-9] [0-9]* ;
fragment EXP : [Ee] [+\-]? [0-9]+ ;

WS : [ \t\n\r]+ -> skip ;
