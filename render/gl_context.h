/* An OpenGL context for MuJoCo's offscreen renderer on any machine: a hidden
 * GLFW window on the display, or, when there is no display (a server, CI),
 * on a virtual one (Xvfb) that this starts and stops itself. */
#ifndef BB_RENDER_GL_CONTEXT_H
#define BB_RENDER_GL_CONTEXT_H

#include <stddef.h>

typedef struct bb_gl_context bb_gl_context;

/* Makes a context current on this thread. Returns NULL with the reason in err. */
bb_gl_context *bb_gl_context_open(char *err, size_t cap);
/* "llvmpipe on Xvfb :3" and the like, for logs. */
const char *bb_gl_context_describe(const bb_gl_context *c);
void bb_gl_context_close(bb_gl_context *c);

#endif
