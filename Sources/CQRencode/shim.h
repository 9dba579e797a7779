#ifndef CQRENCODE_SHIM_H
#define CQRENCODE_SHIM_H

// libqrencode's one header imports as it is: QRcode_encodeData, QRcode_free and the QRecLevel
// enum need no wrapper. It is reached through this shim so every system library comes in
// the same way (one header per library).
#include <qrencode.h>

#endif
