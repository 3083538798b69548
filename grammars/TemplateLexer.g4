// Lexer for a small expression language whose strings interpolate expressions, as in "total: ${price * (1 + rate)}".
// Interpolations nest ("a ${ f("b ${x}") } c"), so this lexer keeps a mode stack: a double quote enters STRING, '${'
// re-enters DEFAULT_MODE, and the '}' that closes it returns to the string; braces of records push and pop too.
// Written for the Structured project to exercise lexer modes (pushMode, popMode, mode), more, type(…), tokens { },
// skip and channel(HIDDEN). Its parser is TemplateParser.g4 (tokenVocab).
lexer grammar TemplateLexer;

tokens { TEXT }

END_DATA : '__END__\n' -> mode(DATA_SECTION) ;
LET      : 'let' ;
IN       : 'in' ;
IF       : 'if' ;
THEN     : 'then' ;
ELSE     : 'else' ;
TRUE     : 'true' ;
FALSE    : 'false' ;
NUMBER   : DIGIT+ ;
NAME     : [a-zA-Z_] [a-zA-Z_0-9]* ;
PLUS     : '+' ;
MINUS    : '-' ;
STAR     : '*' ;
SLASH    : '/' ;
EQ       : '=' ;
EQEQ     : '==' ;
LT       : '<' ;
COMMA    : ',' ;
DOT      : '.' ;
LPAREN   : '(' ;
RPAREN   : ')' ;
LBRACE   : '{' -> pushMode(DEFAULT_MODE) ;
RBRACE   : '}' -> popMode ;
DQUOTE   : '"' -> pushMode(STRING) ;
SQUOTE   : '\'' -> pushMode(RAW) ;
COMMENT_OPEN : '/*' -> more, pushMode(IN_COMMENT) ;
LINE_COMMENT : '//' ~[\r\n]* -> channel(HIDDEN) ;
WS       : [ \t\r\n]+ -> skip ;

fragment DIGIT : [0-9] ;

// Inside "…": text, escapes and ${…} interpolations.
mode STRING;
STRING_END  : '"' -> popMode ;
INTERP      : '${' -> pushMode(DEFAULT_MODE) ;
ESCAPE      : '\\' [\\"$nt] ;
STRING_TEXT : ~[\\"$]+ -> type(TEXT) ;
DOLLAR      : '$' -> type(TEXT) ;

// Inside '…': raw text, no escapes and no interpolation.
mode RAW;
RAW_END  : '\'' -> popMode ;
RAW_TEXT : ~[']+ -> type(TEXT) ;

// After the line __END__: the rest of the file is data (mode, not pushMode: nothing returns from it).
mode DATA_SECTION;
DATA : .+ -> type(TEXT) ;

// A block comment: its text joins the next token (more), and the closing '*/' is skipped with it.
mode IN_COMMENT;
COMMENT_CLOSE : '*/' -> popMode, skip ;
COMMENT_TEXT  : . -> more ;
