#ifndef BB_RENDER_CLI_H
#define BB_RENDER_CLI_H
/* argv after "render"; returns the exit status (0, 1 render failure, 2 bad input). */
int bb_render_main(int argc, char **argv);
#endif
