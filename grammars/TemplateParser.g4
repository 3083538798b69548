// Parser for the template expression language; its tokens come from TemplateLexer.g4 (lexer modes).
// Written for the Structured project to exercise split grammars (tokenVocab) and lexer modes.
parser grammar TemplateParser;

options { tokenVocab = TemplateLexer; }

program  : binding* expr data? EOF ;
binding  : LET NAME EQ expr IN ;
expr     : IF expr THEN expr ELSE expr
         | sum ((EQEQ | LT) sum)?
         ;
sum      : product ((PLUS | MINUS) product)* ;
product  : unary ((STAR | SLASH) unary)* ;
unary    : MINUS unary | postfix ;
postfix  : atom (DOT NAME | call)* ;
call     : LPAREN (expr (COMMA expr)*)? RPAREN ;
atom     : NUMBER | TRUE | FALSE | NAME | string | record | LPAREN expr RPAREN ;
record   : LBRACE (field (COMMA field)*)? RBRACE ;
field    : NAME EQ expr ;
string   : DQUOTE part* STRING_END
         | SQUOTE TEXT? RAW_END
         ;
part     : TEXT | ESCAPE | INTERP expr RBRACE ;
data     : END_DATA TEXT? ;
