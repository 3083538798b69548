// Arithmetic with variables and assignments, written to exercise the ANTLR importer: alternative and element labels,
// <assoc=right>, fragments, sets with ranges and escapes, '~', a non-greedy comment, skip and hidden channels, and
// an action (ignored, with a warning).
grammar Expr;

program : statement* EOF ;

statement
    : ID '=' expr ';'                      # Assign
    | expr ';'                             # Print
    ;

expr
    : <assoc=right> left=expr '^' right=expr   # Power
    | expr op=('*' | '/' | '%') expr            # Multiply
    | expr op=('+' | '-') expr                  # Add
    | '-' expr                                  # Negate
    | ID '(' (args+=expr (',' args+=expr)*)? ')' # Call
    | '(' expr ')'                              # Parens
    | NUMBER                                    # Number
    | ID { /* a symbol-table lookup would go here */ } # Variable
    ;

ID      : LETTER (LETTER | DIGIT)* ;
NUMBER  : DIGIT+ ('.' DIGIT+)? EXPONENT? ;
fragment EXPONENT : [eE] [+\-]? DIGIT+ ;
fragment LETTER   : [a-zA-Z_] ;
fragment DIGIT    : '0'..'9' ;

COMMENT : '/*' .*? '*/' -> channel(HIDDEN) ;
LINE_COMMENT : '//' ~[\r\n]* -> skip ;
WS      : [ \t\r\n]+ -> skip ;
