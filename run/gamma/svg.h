/* SVG figures of the gamma experiment, written without a plotting library. */
#ifndef BB_GAMMA_SVG_H
#define BB_GAMMA_SVG_H

#include "protocol.h"

/* Writes DIR/gamma_raster.svg and DIR/gamma_spectrum.svg; 0 or -1. */
int bb_gamma_svg(const bb_gamma_setup *g, const bb_gamma_result *r, const char *dir);

#endif
