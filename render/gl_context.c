/* The context comes from a 1x1 hidden GLFW window: MuJoCo renders into its
 * own offscreen framebuffer (mjFB_OFFSCREEN), so the window is never shown.
 * Without a usable display, Xvfb is started with -displayfd, which picks a
 * free display number and tells it back through a pipe. */
#include "gl_context.h"

#include <GLFW/glfw3.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct bb_gl_context {
    GLFWwindow *window;
    pid_t xvfb;         /* 0 when the display was the user's own */
    char describe[192];
};

static char glfw_error[256];

static void on_glfw_error(int code, const char *msg) { snprintf(glfw_error, sizeof glfw_error, "%s (GLFW %d)", msg, code); }

/* Starts Xvfb on a free display and points DISPLAY at it. */
static pid_t start_xvfb(char *err, size_t cap)
{
    int fd[2];
    if (pipe(fd)) {
        snprintf(err, cap, "cannot start Xvfb: pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, cap, "cannot start Xvfb: fork: %s", strerror(errno));
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        close(fd[0]);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) dup2(devnull, 1), dup2(devnull, 2);
        char fdarg[16];
        snprintf(fdarg, sizeof fdarg, "%d", fd[1]);
        execlp("Xvfb", "Xvfb", "-displayfd", fdarg, "-screen", "0", "640x480x24", "-nolisten", "tcp", "-noreset",
               (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    char buf[32] = {0};
    size_t got = 0;
    struct pollfd p = {.fd = fd[0], .events = POLLIN};
    while (got < sizeof buf - 1 && poll(&p, 1, 20000) > 0) { /* Xvfb writes "N\n" once it is ready */
        ssize_t n = read(fd[0], buf + got, sizeof buf - 1 - got);
        if (n <= 0) break;
        got += (size_t)n;
        if (memchr(buf, '\n', got)) break;
    }
    close(fd[0]);
    int display;
    if (sscanf(buf, "%d", &display) != 1) {
        int status = 0;
        kill(pid, SIGTERM);
        waitpid(pid, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
            snprintf(err, cap, "no display and no Xvfb to make one: install the Debian package xvfb "
                               "(run/demo and run/test do), or set DISPLAY");
        else
            snprintf(err, cap, "Xvfb did not start (no display number within 20 s)");
        return -1;
    }
    char value[32];
    snprintf(value, sizeof value, ":%d", display);
    setenv("DISPLAY", value, 1);
    return pid;
}

static void stop_xvfb(pid_t pid)
{
    if (pid <= 0) return;
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

bb_gl_context *bb_gl_context_open(char *err, size_t cap)
{
    bb_gl_context *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    glfwSetErrorCallback(on_glfw_error);
    const char *display = getenv("DISPLAY");
    int ok = display && display[0] && glfwInit();
    if (!ok) { /* no display, or one that cannot be opened */
        c->xvfb = start_xvfb(err, cap);
        if (c->xvfb < 0) {
            free(c);
            return NULL;
        }
        if (!glfwInit()) {
            snprintf(err, cap, "cannot initialise GLFW on Xvfb %s: %s", getenv("DISPLAY"), glfw_error);
            stop_xvfb(c->xvfb);
            free(c);
            return NULL;
        }
    }
    glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
    glfwWindowHint(GLFW_DOUBLEBUFFER, GLFW_FALSE);
    c->window = glfwCreateWindow(1, 1, "brainbody render", NULL, NULL);
    if (!c->window) {
        snprintf(err, cap, "cannot create an OpenGL context on display %s: %s", getenv("DISPLAY"), glfw_error);
        bb_gl_context_close(c);
        return NULL;
    }
    glfwMakeContextCurrent(c->window);
    snprintf(c->describe, sizeof c->describe, "%s, OpenGL %s, on %s%s", (const char *)glGetString(GL_RENDERER),
             (const char *)glGetString(GL_VERSION), getenv("DISPLAY"), c->xvfb ? " (Xvfb, started for this)" : "");
    return c;
}

const char *bb_gl_context_describe(const bb_gl_context *c) { return c->describe; }

void bb_gl_context_close(bb_gl_context *c)
{
    if (!c) return;
    if (c->window) glfwDestroyWindow(c->window);
    glfwTerminate();
    stop_xvfb(c->xvfb);
    free(c);
}
