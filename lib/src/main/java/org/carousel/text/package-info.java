/** Text decoding (strict UTF-8, binary detection) and character vocabularies: ids, encode, decode, fingerprint. */
package org.carousel.text;
