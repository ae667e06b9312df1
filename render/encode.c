#include "encode.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct bb_encoder {
    pid_t pid;
    int fd;          /* ffmpeg's stdin */
    size_t frame_bytes;
    char path[4096], partial[4112];
};

bb_encoder *bb_encoder_open(const char *path, int width, int height, double fps, int still, char *err, size_t cap)
{
    bb_encoder *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    snprintf(e->path, sizeof e->path, "%s", path);
    snprintf(e->partial, sizeof e->partial, "%s.partial", path);
    e->frame_bytes = (size_t)width * (size_t)height * 3;
    char size[32], rate[32];
    snprintf(size, sizeof size, "%dx%d", width, height);
    snprintf(rate, sizeof rate, "%.6g", fps);
    const char *args[40];
    int n = 0;
    const char *head[] = {"ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-s", size, "-r", rate, "-i", "pipe:0", "-vf", "vflip"};
    for (size_t i = 0; i < sizeof head / sizeof *head; i++) args[n++] = head[i];
    if (still) {
        const char *tail[] = {"-frames:v", "1", "-c:v", "png", "-f", "image2pipe"};
        for (size_t i = 0; i < sizeof tail / sizeof *tail; i++) args[n++] = tail[i];
    } else {
        const char *tail[] = {"-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
                              "-movflags", "+faststart", "-f", "mp4"};
        for (size_t i = 0; i < sizeof tail / sizeof *tail; i++) args[n++] = tail[i];
    }
    args[n++] = e->partial;
    args[n] = NULL;

    int fd[2];
    if (pipe(fd)) {
        snprintf(err, cap, "cannot start ffmpeg: pipe: %s", strerror(errno));
        free(e);
        return NULL;
    }
    e->pid = fork();
    if (e->pid < 0) {
        snprintf(err, cap, "cannot start ffmpeg: fork: %s", strerror(errno));
        close(fd[0]), close(fd[1]);
        free(e);
        return NULL;
    }
    if (e->pid == 0) {
        dup2(fd[0], 0);
        close(fd[0]), close(fd[1]);
        execvp("ffmpeg", (char *const *)args);
        fprintf(stderr, "brainbody render: cannot run ffmpeg: %s (install the Debian package ffmpeg)\n",
                strerror(errno));
        _exit(127);
    }
    close(fd[0]);
    e->fd = fd[1];
    signal(SIGPIPE, SIG_IGN); /* a dead ffmpeg is an EPIPE from write(), reported below */
    return e;
}

int bb_encoder_frame(bb_encoder *e, const uint8_t *rgb, char *err, size_t cap)
{
    size_t done = 0;
    while (done < e->frame_bytes) {
        ssize_t n = write(e->fd, rgb + done, e->frame_bytes - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            snprintf(err, cap, "ffmpeg stopped taking frames for %s: %s", e->path, strerror(errno));
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

int bb_encoder_close(bb_encoder *e, char *err, size_t cap)
{
    if (!e) return 0;
    close(e->fd);
    int status = 0, rc = 0;
    while (waitpid(e->pid, &status, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        snprintf(err, cap, "ffmpeg failed writing %s (%s %d)", e->path, WIFEXITED(status) ? "exit" : "signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        rc = -1;
    } else if (rename(e->partial, e->path)) {
        snprintf(err, cap, "cannot rename %s to %s: %s", e->partial, e->path, strerror(errno));
        rc = -1;
    }
    if (rc) unlink(e->partial);
    free(e);
    return rc;
}

void bb_encoder_abort(bb_encoder *e)
{
    if (!e) return;
    close(e->fd);
    kill(e->pid, SIGTERM);
    while (waitpid(e->pid, NULL, 0) < 0 && errno == EINTR) {}
    unlink(e->partial);
    free(e);
}
